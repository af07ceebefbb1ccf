import { MemoryDiscovery } from '@contextforge/discovery';
import { DiscoveryWatchRecorder, deferred, waitFor, withTimeout } from '@contextforge/testing';
import { defineAgentType } from '../src';
import { AgentHarness } from './support/agent-harness';
import { HoldingDiscovery } from './support/holding-discovery';

const echo = defineAgentType<unknown, unknown>({
  name: 'echo',
  version: '1.0.0',
  cacheable: true,
  handler: async (input) => input,
});
const lint = defineAgentType<unknown, unknown>({
  name: 'lint',
  version: '1.0.0',
  capabilities: ['typescript', 'eslint'],
  handler: async () => ({ findings: [] }),
});

describe('AgentRuntime registration and heartbeats', () => {
  let harness: AgentHarness | undefined;
  afterEach(async () => {
    await harness?.close();
    harness = undefined;
  });

  it('registers its task types and the capabilities of its agent types, and serves its endpoint', async () => {
    harness = await AgentHarness.create({
      agentTypes: [lint, echo],
      capabilities: ['python'],
      concurrency: 3,
    });
    const [instance, ...others] = await harness.discovery.list();
    expect(others).toEqual([]);
    expect(instance).toMatchObject({ health: 'passing' });
    expect(instance?.registration).toMatchObject({
      id: harness.agentId,
      endpoint: harness.endpoint,
      taskTypes: ['echo', 'lint'],
      capabilities: ['eslint', 'python', 'typescript'],
      concurrency: 3,
      // Only cacheable types advertise a version (the result cache keys on it).
      typeVersions: { echo: '1.0.0' },
    });
    await expect(harness.network.ping(harness.endpoint)).resolves.toEqual({
      agentId: harness.agentId,
      inFlight: 0,
      concurrency: 3,
      draining: false,
    });
  });

  it('heartbeats every heartbeatIntervalMs, resetting the heartbeat age on the discovery clock', async () => {
    let now = 1_000;
    const discovery = new MemoryDiscovery({ ttlMs: 10_000, clock: () => now });
    await discovery.connect();
    harness = await AgentHarness.create({ agentTypes: [echo], heartbeatIntervalMs: 10, discovery });
    const age = async () => (await discovery.list())[0]?.lastHeartbeatAgeMs;
    now += 5_000;
    // Only a heartbeat arriving after the clock moved brings the age back to 0.
    await waitFor(async () => (await age()) === 0, { timeoutMs: 2_000, label: 'a heartbeat' });
    now += 9_999;
    await waitFor(async () => (await age()) === 0, { timeoutMs: 2_000, label: 'another heartbeat' });
    expect((await discovery.list())[0]?.health).toBe('passing');
  });

  it('registers again when discovery forgot it (a heartbeat answered AGENT_NOT_FOUND)', async () => {
    harness = await AgentHarness.create({ agentTypes: [echo], heartbeatIntervalMs: 10 });
    const watch = new DiscoveryWatchRecorder(harness.discovery);
    try {
      await harness.discovery.deregister(harness.agentId);
      await watch.until((agents) => agents.length === 0, 'the agent gone');
      const agents = await watch.next((list) => list.length === 1, 'the agent back');
      expect(agents[0]?.registration.id).toBe(harness.agentId);
    } finally {
      watch.close();
    }
  });

  it('frees its endpoint when registration fails, so start can be retried', async () => {
    const discovery = new MemoryDiscovery(); // never connected: register throws SERVICE_UNAVAILABLE
    harness = await AgentHarness.create({ agentTypes: [echo], discovery }, false);
    await expect(harness.runtime.start()).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
    await expect(harness.network.ping(harness.endpoint)).rejects.toMatchObject({ code: 'AGENT_UNREACHABLE' });
    await discovery.connect();
    await harness.runtime.start();
    expect((await discovery.list()).map((agent) => agent.registration.id)).toEqual([harness.agentId]);
  });

  it('does not overlap heartbeats on a slow discovery, and reports warning after the one in flight', async () => {
    const discovery = new HoldingDiscovery();
    await discovery.connect();
    harness = await AgentHarness.create({ agentTypes: [echo], heartbeatIntervalMs: 5, discovery });
    const hold = deferred();
    discovery.hold = hold;
    await withTimeout(discovery.firstHeld.promise, 2_000, 'a held heartbeat');
    // Ten intervals pass while the first heartbeat is held (there is no event for "a tick was skipped").
    await new Promise((resolve) => setTimeout(resolve, 50));
    const stopped = harness.runtime.stop();
    hold.resolve();
    await stopped;
    expect(discovery.held).toBe(1);
    expect(discovery.applied).toEqual(['passing', 'warning']);
  });
});
