import { AgentRegistrationSchema, type AgentInstance } from '@contextforge/contracts';
import { MemoryDiscovery } from './memory-discovery';

const agent = (id: string) =>
  AgentRegistrationSchema.parse({
    id,
    name: id,
    type: 'code-analyzer',
    taskTypes: ['analyze-file'],
    endpoint: `memory://${id}`,
  });

describe('MemoryDiscovery (manual clock)', () => {
  let now = 0;
  let discovery: MemoryDiscovery;
  const health = async (id: string) => (await discovery.list()).find((a) => a.registration.id === id);

  beforeEach(async () => {
    now = 1_000;
    discovery = new MemoryDiscovery({ ttlMs: 100, deregisterCriticalAfterMs: 1_000, clock: () => now });
    await discovery.connect();
  });
  afterEach(() => discovery.close());

  it('measures the TTL and the heartbeat age on its own clock', async () => {
    await discovery.register(agent('a'));
    now += 99;
    expect(await health('a')).toMatchObject({ health: 'passing', lastHeartbeatAgeMs: 99 });
    now += 1;
    expect(await health('a')).toMatchObject({
      health: 'critical',
      note: 'TTL expired',
      lastHeartbeatAgeMs: 100,
    });
  });

  it('keeps a reported critical state past heartbeats and removes the agent after deregisterCriticalAfterMs', async () => {
    await discovery.register(agent('a'));
    await discovery.heartbeat('a', 'critical', 'disk full');
    now += 600;
    await discovery.heartbeat('a', 'critical', 'still full');
    now += 399;
    expect(await health('a')).toMatchObject({ health: 'critical', note: 'TTL expired' });
    now += 1;
    expect(await health('a')).toBeUndefined();
    await expect(discovery.heartbeat('a')).rejects.toMatchObject({ code: 'AGENT_NOT_FOUND' });
  });

  it('counts critical time from the TTL expiry, and a passing heartbeat resets it', async () => {
    await discovery.register(agent('a'));
    now += 100 + 900;
    await discovery.heartbeat('a');
    now += 99;
    expect(await health('a')).toMatchObject({ health: 'passing' });
    now += 1 + 999;
    expect(await health('a')).toMatchObject({ health: 'critical' });
    now += 1;
    expect(await health('a')).toBeUndefined();
  });

  it('fails every call before connect and after close with SERVICE_UNAVAILABLE', async () => {
    const fresh = new MemoryDiscovery();
    await expect(fresh.list()).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
    await fresh.connect();
    await fresh.close();
    await expect(fresh.register(agent('a'))).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
    expect(() => fresh.watch(() => undefined)).toThrow(
      expect.objectContaining({ code: 'SERVICE_UNAVAILABLE' }),
    );
  });

  it('hands out copies: mutating a listed registration does not change the registry', async () => {
    await discovery.register(agent('a'));
    const [listed] = await discovery.list();
    listed?.registration.capabilities.push('mutated');
    expect((await health('a'))?.registration.capabilities).toEqual([]);
  });
});

describe('MemoryDiscovery watchers (fake timers)', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('coalesces a burst into one delivery and skips heartbeats that change nothing visible', async () => {
    const discovery = new MemoryDiscovery({ ttlMs: 1_000, clock: () => Date.now() });
    await discovery.connect();
    const deliveries: AgentInstance[][] = [];
    discovery.watch((agents) => deliveries.push(agents));
    await jest.advanceTimersByTimeAsync(0);
    expect(deliveries).toEqual([[]]);

    await Promise.all([discovery.register(agent('a')), discovery.register(agent('b'))]);
    await jest.advanceTimersByTimeAsync(0);
    expect(deliveries.map((list) => list.map((a) => a.registration.id))).toEqual([[], ['a', 'b']]);

    await jest.advanceTimersByTimeAsync(500);
    await discovery.heartbeat('a');
    await jest.advanceTimersByTimeAsync(0);
    expect(deliveries).toHaveLength(2);
    await discovery.close();
  });

  it('wakes up by itself to report a TTL expiry and a removal', async () => {
    const discovery = new MemoryDiscovery({
      ttlMs: 1_000,
      deregisterCriticalAfterMs: 5_000,
      clock: () => Date.now(),
    });
    await discovery.connect();
    const deliveries: AgentInstance[][] = [];
    discovery.watch((agents) => deliveries.push(agents));
    await discovery.register(agent('a'));
    await jest.advanceTimersByTimeAsync(0);
    expect(deliveries.at(-1)?.[0]?.health).toBe('passing');

    await jest.advanceTimersByTimeAsync(1_010);
    expect(deliveries.at(-1)?.[0]).toMatchObject({ health: 'critical', note: 'TTL expired' });

    await jest.advanceTimersByTimeAsync(5_000);
    expect(deliveries.at(-1)).toEqual([]);
    expect(deliveries).toHaveLength(3);
    await discovery.close();
  });
});
