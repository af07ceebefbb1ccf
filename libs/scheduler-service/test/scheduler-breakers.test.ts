import { AgentCircuitEventSchema, AppError, type AgentCircuitEvent } from '@contextforge/contracts';
import { MessageRecorder } from '@contextforge/testing';
import { SchedulerHarness } from './support/scheduler-harness';

describe('Scheduler circuit breakers', () => {
  let harness: SchedulerHarness;

  afterEach(async () => {
    await harness?.stop();
  });

  it('opens the breaker of an agent whose dispatches keep failing, routes around it and publishes the state', async () => {
    harness = await SchedulerHarness.create({ agentPauseMs: 1 });
    const circuits = new MessageRecorder();
    await harness.bus.subscribe({
      topic: harness.topics.agentCircuits,
      group: 'test-circuits',
      handler: circuits.handler,
    });
    const broken = await harness.addAgent({
      id: 'agent-broken',
      admit: () => {
        throw new AppError('AGENT_UNREACHABLE', 'connection refused');
      },
    });
    const healthy = await harness.addAgent({ id: 'agent-healthy', reply: 'succeed', concurrency: 50 });

    const tasks = [];
    for (let index = 0; index < 30; index += 1) tasks.push(await harness.submit());
    await Promise.all(tasks.map((task) => harness.event(task.id, 'succeeded')));

    await circuits.until(() => circuits.received.length > 0, 5_000, 'a circuit event');
    const event = AgentCircuitEventSchema.parse(circuits.received[0]?.value) as AgentCircuitEvent;
    expect(event).toMatchObject({ agentId: 'agent-broken', circuit: 'open' });
    expect(harness.scheduler.circuitStates()['agent-broken']).toBe('open');
    // The default volume threshold is 5: the breaker opened after a handful of refusals, not 30.
    expect(broken.refused.length).toBeGreaterThanOrEqual(5);
    expect(broken.refused.length).toBeLessThan(15);
    expect(healthy.acceptedTaskIds().sort()).toEqual(tasks.map((task) => task.id).sort());
  });
});
