import {
  AgentRegistrationSchema,
  type AgentInstance,
  type AgentRegistration,
  type AgentRegistrationInput,
  type Discovery,
} from '@contextforge/contracts';
import { DiscoveryWatchRecorder } from './discovery-watch-recorder';
import { uniqueName } from './unique-name';

/** What a Discovery adapter under test hands the contract suite. */
export interface DiscoveryContractSubject {
  /** Already connected. */
  discovery: Discovery;
  /** The (short) TTL the adapter was built with, e.g. 300-1000 ms; the suite waits past it. */
  ttlMs: number;
  /** Closes the adapter and whatever the factory started. */
  cleanup(): Promise<void>;
}

export type DiscoveryContractFactory = () => DiscoveryContractSubject | Promise<DiscoveryContractSubject>;

/**
 * The behaviour every Discovery adapter must show (see the port's doc comment), run once per
 * adapter. Tests use unique agent ids and only look at their own agents, so a factory may share
 * one backend between tests. Waits are on the adapter's watcher, bounded; the only waits on time
 * are for TTL expiry, which is the behaviour under test there.
 *
 * Beyond the port's doc comment this suite also pins down: `register` validates its input,
 * deregistering an unknown agent is a no-op, `lastHeartbeatAgeMs` is null or a non-negative number,
 * and when heartbeat and probe are equally bad the note is the heartbeat's.
 */
export function describeDiscoveryContract(name: string, factory: DiscoveryContractFactory): void {
  describe(`Discovery contract: ${name}`, () => {
    const runId = uniqueName('ct');
    let sequence = 0;
    let subject: DiscoveryContractSubject;
    let recorders: DiscoveryWatchRecorder[] = [];

    const newId = (label: string): string => `${runId}-${++sequence}-${label}`;
    const discovery = (): Discovery => subject.discovery;
    const watch = (): DiscoveryWatchRecorder => {
      const recorder = new DiscoveryWatchRecorder(discovery());
      recorders.push(recorder);
      return recorder;
    };
    /** Bound for waits past the TTL: expiry is noticed at TTL plus timer and polling latency. */
    const ttlBound = (): number => subject.ttlMs * 3 + 3_000;

    beforeEach(async () => {
      subject = await factory();
    });

    afterEach(async () => {
      for (const recorder of recorders) recorder.close();
      recorders = [];
      await subject.cleanup();
    });

    it('lists a registered agent with its full registration, passing', async () => {
      const input = registration(newId('a'), { resources: { cpu: '2' } });
      await discovery().register(input);

      const found = byId(await discovery().list(), input.id);
      expect(found?.registration).toEqual(AgentRegistrationSchema.parse(input));
      expect(found?.health).toBe('passing');
      const age = found?.lastHeartbeatAgeMs;
      expect(age === null || (typeof age === 'number' && age >= 0)).toBe(true);
    });

    it('rejects an invalid registration with VALIDATION_FAILED', async () => {
      const invalid = { ...registration(newId('bad')), taskTypes: [] } as unknown as AgentRegistration;
      await expect(discovery().register(invalid)).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    });

    it('replaces the registration when the same id registers again', async () => {
      const id = newId('re');
      await discovery().register(registration(id, { capabilities: ['python'], version: '1.0.0' }));
      await discovery().heartbeat(id, 'warning', 'draining');
      await discovery().register(
        registration(id, { capabilities: ['go', 'rust'], version: '2.0.0', weight: 7 }),
      );

      const mine = (await discovery().list()).filter((agent) => agent.registration.id === id);
      expect(mine).toHaveLength(1);
      expect(mine[0]?.registration).toMatchObject({
        capabilities: ['go', 'rust'],
        version: '2.0.0',
        weight: 7,
      });
      expect(mine[0]?.health).toBe('passing');
    });

    it('deregisters an agent, and deregistering an unknown agent is a no-op', async () => {
      const kept = registration(newId('kept'));
      const gone = registration(newId('gone'));
      await discovery().register(kept);
      await discovery().register(gone);
      await discovery().deregister(gone.id);
      await discovery().deregister(newId('never-registered'));

      const ids = (await discovery().list()).map((agent) => agent.registration.id);
      expect(ids).toContain(kept.id);
      expect(ids).not.toContain(gone.id);
      await expect(discovery().heartbeat(gone.id)).rejects.toMatchObject({ code: 'AGENT_NOT_FOUND' });
    });

    it('rejects a heartbeat for an unknown agent with AGENT_NOT_FOUND', async () => {
      await expect(discovery().heartbeat(newId('unknown'))).rejects.toMatchObject({
        code: 'AGENT_NOT_FOUND',
      });
    });

    it('lists healthy agents having every required capability', async () => {
      const both = registration(newId('both'), { capabilities: ['typescript', 'python'] });
      const tsOnly = registration(newId('ts'), { capabilities: ['typescript'] });
      const drainingBoth = registration(newId('drain'), { capabilities: ['python', 'typescript'] });
      for (const agent of [both, tsOnly, drainingBoth]) await discovery().register(agent);
      await discovery().heartbeat(drainingBoth.id, 'warning', 'draining');
      const mine = new Set([both.id, tsOnly.id, drainingBoth.id]);
      const ids = (agents: AgentInstance[]): string[] =>
        agents
          .map((agent) => agent.registration.id)
          .filter((id) => mine.has(id))
          .sort();

      expect(
        ids(await discovery().list({ healthyOnly: true, capabilities: ['typescript', 'python'] })),
      ).toEqual([both.id]);
      expect(ids(await discovery().list({ healthyOnly: true, capabilities: ['typescript'] }))).toEqual(
        [both.id, tsOnly.id].sort(),
      );
      expect(ids(await discovery().list({ capabilities: ['python'] }))).toEqual(
        [both.id, drainingBoth.id].sort(),
      );
    });

    it('lists healthy agents running a task type', async () => {
      const indexer = registration(newId('idx'), { taskTypes: ['index-repository', 'analyze-file'] });
      const reviewer = registration(newId('rev'), { taskTypes: ['review-diff'] });
      const failing = registration(newId('fail'), { taskTypes: ['review-diff'] });
      for (const agent of [indexer, reviewer, failing]) await discovery().register(agent);
      await discovery().heartbeat(failing.id, 'critical', 'analyzer crashed');
      const mine = new Set([indexer.id, reviewer.id, failing.id]);
      const ids = (agents: AgentInstance[]): string[] =>
        agents
          .map((agent) => agent.registration.id)
          .filter((id) => mine.has(id))
          .sort();

      expect(ids(await discovery().list({ healthyOnly: true, taskType: 'review-diff' }))).toEqual([
        reviewer.id,
      ]);
      expect(ids(await discovery().list({ taskType: 'review-diff' }))).toEqual(
        [reviewer.id, failing.id].sort(),
      );
      expect(ids(await discovery().list({ healthyOnly: true, taskType: 'index-repository' }))).toEqual([
        indexer.id,
      ]);
      expect(byId(await discovery().list(), failing.id)).toMatchObject({
        health: 'critical',
        note: 'analyzer crashed',
      });
    });

    it('reports a draining agent (warning) as not healthy until it passes again', async () => {
      const agent = registration(newId('warn'));
      await discovery().register(agent);
      await discovery().heartbeat(agent.id, 'warning', 'draining');

      expect(byId(await discovery().list(), agent.id)).toMatchObject({ health: 'warning', note: 'draining' });
      expect(byId(await discovery().list({ healthyOnly: true }), agent.id)).toBeUndefined();

      await discovery().heartbeat(agent.id, 'passing');
      expect(byId(await discovery().list({ healthyOnly: true }), agent.id)?.health).toBe('passing');
    });

    it('keeps an agent with a critical probe unhealthy while it heartbeats, until the probe passes', async () => {
      const agent = registration(newId('probe'));
      const recorder = watch();
      await discovery().register(agent);
      await discovery().reportProbe(agent.id, 'critical', '3 consecutive health checks failed: timeout');
      await discovery().heartbeat(agent.id, 'passing');

      expect(byId(await discovery().list(), agent.id)).toMatchObject({
        health: 'critical',
        note: '3 consecutive health checks failed: timeout',
      });
      expect(byId(await discovery().list({ healthyOnly: true }), agent.id)).toBeUndefined();
      await recorder.until((agents) => byId(agents, agent.id)?.health === 'critical', 'the failed probe');

      // The watcher saw it critical; the next passing it sees is the probe's recovery.
      await discovery().heartbeat(agent.id, 'passing');
      await discovery().reportProbe(agent.id, 'passing');
      await recorder.until((agents) => byId(agents, agent.id)?.health === 'passing', 'the recovered probe');
      expect(byId(await discovery().list({ healthyOnly: true }), agent.id)?.health).toBe('passing');
    });

    it('takes the worse of heartbeat and probe, and resets the probe on register', async () => {
      const agent = registration(newId('worst'));
      await discovery().register(agent);
      await discovery().heartbeat(agent.id, 'warning', 'draining');
      await discovery().reportProbe(agent.id, 'passing');
      expect(byId(await discovery().list(), agent.id)).toMatchObject({ health: 'warning', note: 'draining' });

      await discovery().reportProbe(agent.id, 'critical', 'unreachable');
      expect(byId(await discovery().list(), agent.id)).toMatchObject({
        health: 'critical',
        note: 'unreachable',
      });
      await discovery().heartbeat(agent.id, 'critical', 'analyzer crashed');
      expect(byId(await discovery().list(), agent.id)).toMatchObject({
        health: 'critical',
        note: 'analyzer crashed',
      });

      await discovery().register(agent);
      expect(byId(await discovery().list({ healthyOnly: true }), agent.id)?.health).toBe('passing');
    });

    it('rejects a probe report for an unknown agent with AGENT_NOT_FOUND', async () => {
      await expect(discovery().reportProbe(newId('unknown'), 'critical', 'down')).rejects.toMatchObject({
        code: 'AGENT_NOT_FOUND',
      });
    });

    it('turns an agent critical when its TTL passes without a heartbeat, and a heartbeat brings it back', async () => {
      const agent = registration(newId('ttl'));
      const recorder = watch();
      const registeredAt = performance.now();
      await discovery().register(agent);
      await recorder.until((agents) => byId(agents, agent.id)?.health === 'passing', 'the agent passing');

      await recorder.next(
        (agents) => byId(agents, agent.id)?.health === 'critical',
        'TTL expiry',
        ttlBound(),
      );
      // A few ms of slack: timers and the clocks of two processes need not agree to the millisecond.
      expect(performance.now() - registeredAt).toBeGreaterThanOrEqual(subject.ttlMs - 20);
      expect(byId(await discovery().list(), agent.id)?.health).toBe('critical');
      expect(byId(await discovery().list({ healthyOnly: true }), agent.id)).toBeUndefined();

      await discovery().heartbeat(agent.id);
      await recorder.until(
        (agents) => byId(agents, agent.id)?.health === 'passing',
        'the agent passing again',
      );
      expect(byId(await discovery().list({ healthyOnly: true }), agent.id)?.health).toBe('passing');
    });

    it('watch delivers the current list at once, then every change', async () => {
      const early = registration(newId('early'));
      const late = registration(newId('late'));
      await discovery().register(early);

      const recorder = watch();
      const initial = await recorder.until(() => true, 'the initial list');
      expect(byId(initial, early.id)?.registration).toEqual(AgentRegistrationSchema.parse(early));

      await discovery().register(late);
      await recorder.next((agents) => byId(agents, late.id)?.health === 'passing', 'the registration');

      await discovery().heartbeat(early.id, 'warning', 'draining');
      const drained = await recorder.next(
        (agents) => byId(agents, early.id)?.health === 'warning',
        'the health change',
      );
      expect(byId(drained, early.id)?.note).toBe('draining');

      await discovery().deregister(late.id);
      const after = await recorder.next((agents) => byId(agents, late.id) === undefined, 'the removal');
      expect(byId(after, early.id)).toBeDefined();
    });

    it('stops delivering to a closed watch while others keep receiving', async () => {
      const first = registration(newId('w1'));
      const second = registration(newId('w2'));
      const closed = watch();
      const open = watch();
      await closed.until(() => true, 'the initial list (closed watcher)');
      await open.until(() => true, 'the initial list (open watcher)');
      closed.close();
      const deliveredBeforeClose = closed.deliveries.length;

      await discovery().register(first);
      await open.next((agents) => byId(agents, first.id) !== undefined, 'the first registration');
      // A second full round: had the closed watcher still been running, it would have caught up by now.
      await discovery().register(second);
      await open.next((agents) => byId(agents, second.id) !== undefined, 'the second registration');

      expect(closed.deliveries).toHaveLength(deliveredBeforeClose);
    });
  });
}

function byId(agents: AgentInstance[], id: string): AgentInstance | undefined {
  return agents.find((agent) => agent.registration.id === id);
}

function registration(id: string, overrides: Partial<AgentRegistrationInput> = {}): AgentRegistration {
  return AgentRegistrationSchema.parse({
    id,
    name: `Contract agent ${id}`,
    type: 'code-analyzer',
    taskTypes: ['analyze-file'],
    capabilities: ['typescript'],
    resources: { cpu: '4', memory: '8Gi', disk: '100Gi' },
    endpoint: `http://${id}.agents.internal:8001`,
    weight: 3,
    concurrency: 5,
    version: '1.2.3',
    ...overrides,
  });
}
