import { loadConfig } from '@contextforge/config';
import { createSilentLogger } from '@contextforge/observability';
import { openBus, openDiscovery, replicaId } from './open-adapters';

describe('service wiring', () => {
  it('opens the configured adapters connected and closes them in reverse order with the service', async () => {
    const steps: Array<() => Promise<void>> = [];
    const context = {
      config: loadConfig({ env: {} }),
      logger: createSilentLogger(),
      onStop: (step: () => Promise<void>) => void steps.push(step),
    };
    const bus = await openBus(context, 'test');
    const discovery = await openDiscovery(context);
    await bus.publish('t', [{ key: 'k', value: 1 }]);
    expect(await discovery.list()).toEqual([]);
    expect(steps).toHaveLength(2);
    for (const step of steps.reverse()) await step();
    await expect(discovery.list()).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
  });

  it('names replicas uniquely', () => {
    expect(replicaId('scheduler')).toMatch(/^scheduler-.+-\d+-[0-9a-f]{8}$/);
    expect(replicaId('scheduler')).not.toBe(replicaId('scheduler'));
  });
});
