import type {
  AgentEndpoint,
  AgentLoad,
  AgentTransport,
  CallOptions,
  HealthState,
} from '@contextforge/contracts';
import { MemoryAgentNetwork } from '@contextforge/agent-transport';
import { MemoryDiscovery } from '@contextforge/discovery';
import { createSilentLogger } from '@contextforge/observability';
import { DiscoveryWatchRecorder, deferred, waitFor, type Deferred } from '@contextforge/testing';
import { ActiveHealthChecker, type ActiveHealthCheckerOptions } from '../src/active-health-checker';

const INTERVAL_MS = 20;
const WAIT_MS = 5_000;

const registration = (id: string) => ({
  id,
  name: `agent ${id}`,
  type: 'code-analyzer',
  taskTypes: ['analyze.file'],
  capabilities: ['typescript'],
  resources: {},
  endpoint: `memory://${id}`,
  weight: 1,
  concurrency: 1,
  version: '1.0.0',
});

const endpointOf = (agentId: string): AgentEndpoint => ({
  accept: async () => undefined,
  cancel: async () => undefined,
  load: (): AgentLoad => ({ agentId, inFlight: 0, concurrency: 1, draining: false }),
});

/** The network, with every ping counted and, for chosen endpoints, held until the test lets go. */
class CountingTransport implements Pick<AgentTransport, 'ping'> {
  readonly pings = new Map<string, number>();
  readonly signals: AbortSignal[] = [];
  readonly held = new Map<string, Deferred<void>>();
  inFlight = 0;
  maxInFlightPerEndpoint = 0;
  private readonly inFlightByEndpoint = new Map<string, number>();

  constructor(readonly network: MemoryAgentNetwork) {}

  count(endpoint: string): number {
    return this.pings.get(endpoint) ?? 0;
  }

  async ping(endpoint: string, options?: CallOptions): Promise<AgentLoad> {
    this.pings.set(endpoint, this.count(endpoint) + 1);
    if (options?.signal) this.signals.push(options.signal);
    const inFlight = (this.inFlightByEndpoint.get(endpoint) ?? 0) + 1;
    this.inFlightByEndpoint.set(endpoint, inFlight);
    this.maxInFlightPerEndpoint = Math.max(this.maxInFlightPerEndpoint, inFlight);
    this.inFlight += 1;
    try {
      // Ignores the signal on purpose: the checker must time out by itself.
      await this.held.get(endpoint)?.promise;
      return await this.network.ping(endpoint);
    } finally {
      this.inFlight -= 1;
      this.inFlightByEndpoint.set(endpoint, (this.inFlightByEndpoint.get(endpoint) ?? 1) - 1);
    }
  }
}

describe('ActiveHealthChecker', () => {
  let discovery: MemoryDiscovery;
  let network: MemoryAgentNetwork;
  let transport: CountingTransport;
  let checker: ActiveHealthChecker | undefined;
  let recorder: DiscoveryWatchRecorder;
  let probeCalls: Array<{ agentId: string; state: HealthState; note?: string; pings: number }>;

  beforeEach(async () => {
    discovery = new MemoryDiscovery();
    await discovery.connect();
    network = new MemoryAgentNetwork();
    transport = new CountingTransport(network);
    probeCalls = [];
    const reportProbe = discovery.reportProbe.bind(discovery);
    jest.spyOn(discovery, 'reportProbe').mockImplementation(async (agentId, state, note) => {
      probeCalls.push({
        agentId,
        state,
        ...(note ? { note } : {}),
        pings: transport.count(`memory://${agentId}`),
      });
      await reportProbe(agentId, state, note);
    });
    recorder = new DiscoveryWatchRecorder(discovery);
  });

  afterEach(async () => {
    await checker?.stop();
    checker = undefined;
    recorder.close();
    await discovery.close();
  });

  const start = (options: Partial<ActiveHealthCheckerOptions> = {}): ActiveHealthChecker => {
    checker = new ActiveHealthChecker({
      discovery,
      transport,
      logger: createSilentLogger(),
      intervalMs: INTERVAL_MS,
      timeoutMs: 1_000,
      maxFailures: 3,
      ...options,
    });
    checker.start();
    return checker;
  };

  const healthOf = async (agentId: string) =>
    (await discovery.list()).find((a) => a.registration.id === agentId);

  it('marks an agent critical after exactly max consecutive failures, despite heartbeats, and passing on the first success', async () => {
    await discovery.register(registration('flaky'));
    let listener = network.listen('memory://flaky', endpointOf('flaky'));
    start();

    // The first success is written once (it clears a probe an earlier leader may have left failing).
    await waitFor(() => probeCalls.length === 1, { timeoutMs: WAIT_MS, label: 'the first probe report' });
    expect(probeCalls[0]).toMatchObject({ agentId: 'flaky', state: 'passing', pings: 1 });

    await listener.close();
    const pingsBeforeClose = transport.count('memory://flaky');
    await recorder.until((agents) => agents[0]?.health === 'critical', 'the agent critical', WAIT_MS);
    expect(probeCalls[1]).toEqual({
      agentId: 'flaky',
      state: 'critical',
      note: '3 consecutive health checks failed: no agent listens on memory://flaky',
      pings: pingsBeforeClose + 3,
    });

    await discovery.heartbeat('flaky');
    expect(await healthOf('flaky')).toMatchObject({ health: 'critical' });

    listener = network.listen('memory://flaky', endpointOf('flaky'));
    await recorder.next((agents) => agents[0]?.health === 'passing', 'the agent passing again', WAIT_MS);
    expect(probeCalls.at(-1)).toMatchObject({ agentId: 'flaky', state: 'passing' });
    expect(probeCalls.filter((call) => call.state === 'passing')).toHaveLength(2);
    await listener.close();
  });

  it('counts a ping without an answer within the timeout as a failure, and aborts its signal', async () => {
    await discovery.register(registration('hung'));
    network.listen('memory://hung', endpointOf('hung'));
    const hold = deferred();
    transport.held.set('memory://hung', hold);
    start({ timeoutMs: 30, maxFailures: 1 });

    await recorder.until((agents) => agents[0]?.health === 'critical', 'the hung agent critical', WAIT_MS);
    expect(await healthOf('hung')).toMatchObject({
      note: '1 consecutive health checks failed: no answer within 30 ms',
    });
    expect(transport.signals[0]?.aborted).toBe(true);
    hold.resolve();
  });

  it('pings all agents of a round at once and never starts a round before the previous one ended', async () => {
    for (const id of ['a', 'b']) {
      await discovery.register(registration(id));
      network.listen(`memory://${id}`, endpointOf(id));
    }
    const holdA = deferred();
    const holdB = deferred();
    transport.held.set('memory://a', holdA);
    transport.held.set('memory://b', holdB);
    start({ timeoutMs: 10_000 });

    await waitFor(() => transport.inFlight === 2, { timeoutMs: WAIT_MS, label: 'both pings in flight' });
    // The absence of a new round can only be shown by letting intervals pass.
    await new Promise((resolve) => setTimeout(resolve, INTERVAL_MS * 5));
    expect([transport.count('memory://a'), transport.count('memory://b')]).toEqual([1, 1]);

    transport.held.clear();
    holdA.resolve();
    holdB.resolve();
    await waitFor(() => transport.count('memory://a') >= 3 && transport.count('memory://b') >= 3, {
      timeoutMs: WAIT_MS,
      label: 'two more rounds',
    });
    expect(transport.maxInFlightPerEndpoint).toBe(1);
  });

  it('stops pinging and reporting on stop, aborting pings in flight', async () => {
    await discovery.register(registration('slow'));
    network.listen('memory://slow', endpointOf('slow'));
    const hold = deferred();
    transport.held.set('memory://slow', hold);
    const running = start({ timeoutMs: 10_000, maxFailures: 1 });
    await waitFor(() => transport.inFlight === 1, { timeoutMs: WAIT_MS, label: 'the ping in flight' });

    await running.stop();

    expect(transport.signals[0]?.aborted).toBe(true);
    hold.resolve();
    await waitFor(() => transport.inFlight === 0, { timeoutMs: WAIT_MS, label: 'the ping settled' });
    expect(probeCalls).toEqual([]);
    expect(await healthOf('slow')).toMatchObject({ health: 'passing' });
  });

  it('keeps checking after a failed listing, and pings only registered agents', async () => {
    await discovery.register(registration('gone'));
    network.listen('memory://gone', endpointOf('gone'));
    jest.spyOn(discovery, 'list').mockRejectedValueOnce(new Error('discovery down'));
    start();

    await waitFor(() => probeCalls.length === 1, {
      timeoutMs: WAIT_MS,
      label: 'a round after the failed one',
    });
    await discovery.deregister('gone');
    const pingsAtDeregister = transport.count('memory://gone');
    await discovery.register(registration('other'));
    network.listen('memory://other', endpointOf('other'));
    await waitFor(() => transport.count('memory://other') >= 2, {
      timeoutMs: WAIT_MS,
      label: 'the other agent pinged',
    });
    // At most one ping was already under way when it left.
    expect(transport.count('memory://gone')).toBeLessThanOrEqual(pingsAtDeregister + 1);
  });

  it('rejects settings that cannot work', () => {
    const base = {
      discovery,
      transport,
      logger: createSilentLogger(),
      intervalMs: 10,
      timeoutMs: 10,
      maxFailures: 3,
    };
    expect(() => new ActiveHealthChecker({ ...base, intervalMs: 0 })).toThrow(
      expect.objectContaining({ code: 'CONFIG_INVALID' }),
    );
    expect(() => new ActiveHealthChecker({ ...base, maxFailures: 0 })).toThrow(
      expect.objectContaining({ code: 'CONFIG_INVALID' }),
    );
  });
});
