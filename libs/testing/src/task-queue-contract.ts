import { setTimeout as delay } from 'node:timers/promises';
import {
  DEFAULT_INLINE_LIMIT_BYTES,
  RESULT_OUTPUT_REF,
  jsonByteLength,
  type ClaimRequest,
  type QueueAgent,
  type TaskChangedMessage,
  type TaskQueue,
  type TaskRepository,
} from '@contextforge/contracts';
import { buildTask, buildTaskEvent } from './task-fixtures';
import { uniqueName } from './unique-name';

/** The task tables behind both ports, as the scheduler and the result-store share them. */
export type TaskQueueStore = TaskRepository & TaskQueue;

export interface TaskQueueContractSubject {
  /** Connected; shared by the suite's tests (each uses task types of its own). */
  store: TaskQueueStore;
  /** Another connected store on the same tables (a second scheduler replica); the suite closes it. */
  openReplica?: () => Promise<TaskQueueStore>;
  cleanup(): Promise<void>;
}

/**
 * The behaviour every TaskQueue adapter must show (see the port's doc comment). Claims are global,
 * so each test isolates itself by giving its tasks and agents task types no other test uses.
 */
export function describeTaskQueueContract(
  name: string,
  factory: () => Promise<TaskQueueContractSubject>,
): void {
  describe(`TaskQueue contract: ${name}`, () => {
    let subject: TaskQueueContractSubject | undefined;
    const store = (): TaskQueueStore => {
      if (!subject) throw new Error('the contract subject did not start');
      return subject.store;
    };
    beforeAll(async () => {
      subject = await factory();
    });
    afterAll(async () => {
      await subject?.cleanup();
    });

    /** Queues `count` tasks of `type` in order (each created after the previous one). */
    async function queue(type: string, count: number, overrides: Parameters<typeof buildTask>[0] = {}) {
      const ids: string[] = [];
      for (let index = 0; index < count; index += 1) {
        const task = buildTask({
          type,
          requiredCapabilities: [],
          clientId: 'queue-client',
          createdAt: new Date(Date.now() + index).toISOString(),
          ...overrides,
        });
        await store().createTask(task);
        ids.push(task.id);
      }
      return ids;
    }

    const agent = (type: string, overrides: Partial<QueueAgent> = {}): QueueAgent => ({
      id: uniqueName('agent'),
      taskTypes: [type],
      capabilities: [],
      concurrency: 10,
      weight: 1,
      ...overrides,
    });

    const request = (agents: QueueAgent[], overrides: Partial<ClaimRequest> = {}): ClaimRequest => ({
      owner: 'replica-a',
      agents,
      limit: 100,
      dispatchLeaseMs: 60_000,
      timeoutGraceMs: 5_000,
      choose: (_task, candidates) => candidates[0]?.id,
      ...overrides,
    });

    it('claims by priority, then oldest first, stamping a new attempt and a token', async () => {
      const type = uniqueName('t');
      const [low] = await queue(type, 1, { priority: 1 });
      const [first, second] = await queue(type, 2, { priority: 5 });
      const [high] = await queue(type, 1, { priority: 9 });
      const worker = agent(type);
      const { claimed } = await store().claim(request([worker]));
      expect(claimed.map((attempt) => attempt.task.id)).toEqual([high, first, second, low]);
      for (const attempt of claimed) {
        expect(attempt).toMatchObject({ agentId: worker.id, attempt: 1 });
        expect(attempt.task).toMatchObject({ status: 'dispatched', attempt: 1, agentId: worker.id });
        expect(attempt.token).toMatch(/^[0-9a-f-]{36}$/);
        expect(attempt.task).not.toHaveProperty('claimToken');
      }
      expect(new Set(claimed.map((attempt) => attempt.token)).size).toBe(4);
      expect((await store().claim(request([worker]))).claimed).toEqual([]);
    });

    it("never gives an agent more than its concurrency, counting every replica's open attempts", async () => {
      const type = uniqueName('t');
      await queue(type, 5);
      const worker = agent(type, { concurrency: 2 });
      expect((await store().claim(request([worker]))).claimed).toHaveLength(2);
      expect((await store().claim(request([worker], { owner: 'replica-b' }))).claimed).toHaveLength(0);
      const other = agent(type, { concurrency: 1 });
      const third = await store().claim(request([worker, other]));
      expect(third.claimed.map((attempt) => attempt.agentId)).toEqual([other.id]);
    });

    it('routes by capability, and a head of tasks no free agent runs does not hide the rest', async () => {
      const type = uniqueName('t');
      const [rust] = await queue(type, 1, { priority: 9, requiredCapabilities: ['rust'] });
      const plain = await queue(type, 2, { priority: 1 });
      const generalist = agent(type);
      const first = await store().claim(request([generalist]));
      expect(first.claimed.map((attempt) => attempt.task.id)).toEqual(plain);
      const rustacean = agent(type, { capabilities: ['rust', 'go'] });
      const second = await store().claim(request([generalist, rustacean]));
      expect(second.claimed.map((attempt) => [attempt.task.id, attempt.agentId])).toEqual([
        [rust, rustacean.id],
      ]);
    });

    it('leaves a task queued when choose declines it, and passes the open counts to choose', async () => {
      const type = uniqueName('t');
      const [id] = await queue(type, 1);
      const worker = agent(type, { weight: 3 });
      const seen: unknown[] = [];
      const declined = await store().claim(
        request([worker], {
          choose: (_task, candidates) => {
            seen.push(candidates);
            return undefined;
          },
        }),
      );
      expect(declined.claimed).toEqual([]);
      expect(seen).toEqual([[{ id: worker.id, weight: 3, inFlight: 0 }]]);
      expect((await store().getTask(id as string))?.status).toBe('queued');
    });

    it("applies an attempt's events only with its token", async () => {
      const type = uniqueName('t');
      const [id = ''] = await queue(type, 1);
      const worker = agent(type);
      const [attempt] = (await store().claim(request([worker]))).claimed;
      if (!attempt) throw new Error('nothing claimed');
      const forged = buildTaskEvent('started', id, 1, { agentId: worker.id, token: 'forged-token' });
      const bare = buildTaskEvent('succeeded', id, 1, { agentId: worker.id });
      const [forgedOutcome, bareOutcome] = await store().applyEvents([forged, bare]);
      expect(forgedOutcome).toMatchObject({ outcome: 'ignored', reason: 'STALE_TOKEN' });
      expect(bareOutcome).toMatchObject({ outcome: 'ignored', reason: 'STALE_TOKEN' });
      const started = buildTaskEvent('started', id, 1, { agentId: worker.id, token: attempt.token });
      const [startedOutcome] = await store().applyEvents([started]);
      expect(startedOutcome).toMatchObject({ outcome: 'applied' });
      expect((await store().getTask(id))?.status).toBe('running');
    });

    it('takes a claim back with its token only, in the same attempt', async () => {
      const type = uniqueName('t');
      const [id = ''] = await queue(type, 1);
      const worker = agent(type);
      const [attempt] = (await store().claim(request([worker]))).claimed;
      if (!attempt) throw new Error('nothing claimed');
      expect(await store().release(id, 1, 'not-the-token', 'bounced')).toBe(false);
      expect(await store().release(id, 1, attempt.token, 'bounced (AGENT_AT_CAPACITY)')).toBe(true);
      expect(await store().getTask(id)).toMatchObject({
        status: 'queued',
        attempt: 1,
        statusReason: 'bounced (AGENT_AT_CAPACITY)',
      });
      const [again] = (await store().claim(request([worker]))).claimed;
      expect(again).toMatchObject({ attempt: 2 });
      expect(again?.token).not.toBe(attempt.token);
      const late = buildTaskEvent('succeeded', id, 1, { agentId: worker.id, token: attempt.token });
      const [lateOutcome] = await store().applyEvents([late]);
      expect(lateOutcome).toMatchObject({ outcome: 'ignored', reason: 'STALE_ATTEMPT' });
    });

    it('expires a dispatch past its lease and a run past its deadline', async () => {
      const type = uniqueName('t');
      const [unstarted = '', running = ''] = await queue(type, 2);
      const worker = agent(type);
      const claimed = await store().claim(request([worker], { dispatchLeaseMs: 0, timeoutGraceMs: 0 }));
      const tokens = new Map(claimed.claimed.map((attempt) => [attempt.task.id, attempt.token]));
      await store().applyEvents([
        buildTaskEvent('started', running, 1, { agentId: worker.id, token: tokens.get(running) as string }),
      ]);
      // The lease ends at the claim; the running task's deadline at the claim + its 30 s timeout.
      await delay(5);
      const expired = await store().expire(100);
      expect(expired.map((attempt) => attempt.task.id)).toContain(unstarted);
      expect(expired.map((attempt) => attempt.task.id)).not.toContain(running);
      expect((await store().getTask(unstarted))?.lastError?.code).toBe('DISPATCH_EXPIRED');

      const type2 = uniqueName('t');
      const [quick = ''] = await queue(type2, 1, { timeoutMs: 1 });
      const worker2 = agent(type2);
      const [attempt] = (await store().claim(request([worker2], { timeoutGraceMs: 0 }))).claimed;
      await store().applyEvents([
        buildTaskEvent('started', quick, 1, { agentId: worker2.id, token: attempt?.token as string }),
      ]);
      await delay(5);
      const timedOut = await store().expire(100);
      expect(timedOut.find((entry) => entry.task.id === quick)).toMatchObject({
        agentId: worker2.id,
        attempt: 1,
        task: { status: 'failed', lastError: { code: 'TASK_TIMEOUT' } },
      });
      expect(await store().expire(100)).not.toContainEqual(expect.objectContaining({ attempt: 1 }));
    });

    it('keeps a confirmed dispatch past its lease, fenced by attempt and token', async () => {
      const type = uniqueName('t');
      const [accepted = '', stale = '', unconfirmed = ''] = await queue(type, 3);
      const worker = agent(type);
      const { claimed } = await store().claim(request([worker], { dispatchLeaseMs: 0 }));
      const tokens = new Map(claimed.map((attempt) => [attempt.task.id, attempt.token]));
      const confirmed = await store().confirmDispatched([
        { taskId: accepted, attempt: 1, token: tokens.get(accepted) as string },
        // A stale owner's confirmation: the token of another attempt changes nothing.
        { taskId: stale, attempt: 1, token: tokens.get(unconfirmed) as string },
        { taskId: unconfirmed, attempt: 2, token: tokens.get(unconfirmed) as string },
      ]);
      expect(confirmed).toBe(1);
      await delay(5);
      const expired = (await store().expire(100)).map((attempt) => attempt.task.id);
      expect(expired).toEqual(expect.arrayContaining([stale, unconfirmed]));
      expect(expired).not.toContain(accepted);
      expect((await store().getTask(accepted))?.status).toBe('dispatched');
      // Confirming an attempt that has moved on (expired, then failed) changes nothing either.
      expect(
        await store().confirmDispatched([{ taskId: stale, attempt: 1, token: tokens.get(stale) as string }]),
      ).toBe(0);
    });

    it('fails the open attempts of a lost agent, and orphans of unknown agents', async () => {
      const type = uniqueName('t');
      const [a = '', b = ''] = await queue(type, 2);
      const lost = agent(type, { concurrency: 1 });
      const live = agent(type, { concurrency: 1 });
      const claimed = (await store().claim(request([lost, live]))).claimed;
      expect(claimed).toHaveLength(2);
      const onLost = claimed.find((attempt) => attempt.agentId === lost.id)?.task.id;
      const failed = await store().failAttemptsOn([lost.id], {
        code: 'AGENT_LOST',
        message: 'gone',
        retryable: true,
      });
      expect(failed.map((attempt) => [attempt.task.id, attempt.agentId])).toEqual([[onLost, lost.id]]);
      const orphans = await store().failOrphans([{ id: live.id }, { id: 'agent-elsewhere' }], 0);
      expect(orphans.map((attempt) => attempt.task.id)).not.toContain(onLost);
      const all = await store().failOrphans([{ id: 'agent-elsewhere' }], 0);
      const onLive = [a, b].find((id) => id !== onLost);
      expect(all.map((attempt) => attempt.task.id)).toContain(onLive);
      expect((await store().getTask(onLive as string))?.lastError?.code).toBe('AGENT_LOST');
    });

    it('fails as orphans the attempts of an agent that is now another process', async () => {
      const type = uniqueName('t');
      const [id = ''] = await queue(type, 1);
      const worker = agent(type, { instanceId: 'process-1' });
      await store().claim(request([worker]));
      expect(await store().failOrphans([{ id: worker.id, instanceId: 'process-1' }], 0)).not.toContainEqual(
        expect.objectContaining({ agentId: worker.id }),
      );
      const replaced = await store().failOrphans([{ id: worker.id, instanceId: 'process-2' }], 0);
      expect(replaced.map((attempt) => attempt.task.id)).toEqual([id]);
      expect((await store().getTask(id))?.lastError?.code).toBe('AGENT_LOST');
    });

    it('settles failures: a retry waits until notBefore, a dead-letter ends the task', async () => {
      const type = uniqueName('t');
      const [retried = '', dead = ''] = await queue(type, 2);
      const worker = agent(type);
      await store().claim(request([worker]));
      await store().failAttemptsOn([worker.id], { code: 'HANDLER_FAILED', message: 'x', retryable: true });
      const settled = await store().settleFailures(
        (task) =>
          task.id === retried
            ? { kind: 'retry', failures: 1, delayMs: 60_000, reason: 'retry 2 of 3' }
            : { kind: 'dead_letter', failures: 1, reason: 'not retryable' },
        1000,
      );
      // Earlier tests' failed tasks are settled too (the sweep is global): look at this test's two.
      const mine = settled.filter((task) => task.id === retried || task.id === dead);
      expect(mine.map((task) => task.id).sort()).toEqual([retried, dead].sort());
      const waiting = await store().getTask(retried);
      expect(waiting).toMatchObject({
        status: 'queued',
        attempt: 1,
        failures: 1,
        statusReason: 'retry 2 of 3',
      });
      expect(Date.parse(waiting?.notBefore ?? '') - Date.now()).toBeGreaterThan(50_000);
      expect(await store().getTask(dead)).toMatchObject({
        status: 'dead_lettered',
        failures: 1,
        lastError: { code: 'HANDLER_FAILED', details: { reason: 'not retryable' } },
      });
      const next = await store().claim(request([worker]));
      expect(next.claimed).toEqual([]);
      expect(next.nextRetryAt?.getTime()).toBe(Date.parse(waiting?.notBefore ?? ''));
    });

    it('marks queued tasks no healthy agent runs with a reason, once', async () => {
      const type = uniqueName('t');
      const [rust = '', plain = ''] = await queue(type, 2, {});
      await store().applyEvents([]);
      const [rustTask] = await queue(type, 1, { requiredCapabilities: ['rust'] });
      const agents = [agent(type)];
      const marked = await store().markUnrunnable(agents, 1000);
      expect(marked.map((task) => task.id)).toContain(rustTask);
      expect(marked.map((task) => task.id)).not.toContain(rust);
      expect(marked.map((task) => task.id)).not.toContain(plain);
      expect((await store().getTask(rustTask as string))?.statusReason).toBe(
        `waiting: no healthy agent runs ${type} with capabilities rust`,
      );
      expect((await store().markUnrunnable(agents, 1000)).map((task) => task.id)).not.toContain(rustTask);
      const [claimed] = (await store().claim(request([agent(type, { capabilities: ['rust'] })]))).claimed;
      expect(claimed).toBeDefined();
    });

    it('relays every committed change through the outbox in order, at least once', async () => {
      await store().relayOutbox(async () => undefined, 100_000);
      const type = uniqueName('t');
      const [id = ''] = await queue(type, 1);
      const worker = agent(type);
      const [attempt] = (await store().claim(request([worker]))).claimed;
      await store().applyEvents([
        buildTaskEvent('started', id, 1, { agentId: worker.id, token: attempt?.token as string }),
      ]);
      await expect(
        store().relayOutbox(async () => {
          throw new Error('broker down');
        }, 100),
      ).rejects.toThrow();
      const relayed: TaskChangedMessage[] = [];
      while ((await store().relayOutbox(async (changes) => void relayed.push(...changes), 2)) > 0);
      const mine = relayed.filter((change) => change.task.id === id);
      expect(mine.map((change) => [change.seq, change.event.type, change.task.status])).toEqual([
        [1, 'queued', 'queued'],
        [2, 'dispatched', 'dispatched'],
        [3, 'started', 'running'],
      ]);
      expect(JSON.stringify(mine)).not.toContain('claimToken');
      expect(await store().relayOutbox(async () => undefined, 100)).toBe(0);
    });

    it('keeps outbox messages within the inline limit, leaving large inputs and outputs in the store', async () => {
      await store().relayOutbox(async () => undefined, 100_000);
      const type = uniqueName('t');
      const big = { text: 'x'.repeat(200_000) };
      const cacheKey = uniqueName('key');
      const source = buildTask({ type, requiredCapabilities: [], clientId: 'queue-client', input: big });
      await store().createTask(source, { cacheKey });
      const batched = [1, 2].map(() =>
        buildTask({ type, requiredCapabilities: [], clientId: 'queue-client', input: big }),
      );
      await store().createTasks(batched.map((task) => ({ task })));
      const worker = agent(type);
      const { claimed } = await store().claim(request([worker]));
      const attempt = claimed.find((entry) => entry.task.id === source.id);
      // What the claimant dispatches still has the input.
      expect(attempt?.task.input).toEqual(big);
      const token = attempt?.token as string;
      await store().applyEvents([
        buildTaskEvent('started', source.id, 1, { agentId: worker.id, token }),
        buildTaskEvent('succeeded', source.id, 1, { agentId: worker.id, token, output: big }),
      ]);
      const hit = buildTask({
        type,
        requiredCapabilities: [],
        clientId: 'queue-client',
        input: { small: true },
      });
      expect((await store().createTask(hit, { cacheKey })).task.fromCache).toBe(true);

      const relayed: TaskChangedMessage[] = [];
      while ((await store().relayOutbox(async (changes) => void relayed.push(...changes), 50)) > 0);
      const ids = new Set([source.id, hit.id, ...batched.map((task) => task.id)]);
      const mine = relayed.filter((change) => ids.has(change.task.id));

      expect(mine).toHaveLength(4 + 2 + 2 + 2);
      for (const change of mine) expect(jsonByteLength(change)).toBeLessThan(DEFAULT_INLINE_LIMIT_BYTES);
      const ofSource = mine.filter((change) => change.task.id === source.id);
      expect(ofSource.map((change) => [change.event.type, change.inputOmitted, change.task.input])).toEqual([
        ['queued', true, null],
        ['dispatched', true, null],
        ['started', true, null],
        ['succeeded', true, null],
      ]);
      const completions = mine.filter((change) => change.event.type === 'succeeded');
      for (const { event } of completions) {
        expect(event).toMatchObject({ outputRef: RESULT_OUTPUT_REF });
        expect(event).not.toHaveProperty('output');
      }
      expect(completions.map((change) => change.task.id).sort()).toEqual([source.id, hit.id].sort());
      expect(mine.find((change) => change.task.id === hit.id)?.task.input).toEqual({ small: true });
      expect((await store().getTask(source.id))?.input).toEqual(big);
      expect((await store().getResult(source.id))?.output).toEqual(big);
      expect((await store().getResult(hit.id))?.output).toEqual(big);
    });

    it('lets one relay at a time hold the outbox', async () => {
      await queue(uniqueName('t'), 1);
      let release: () => void = () => undefined;
      const held = new Promise<void>((resolve) => (release = resolve));
      let entered: () => void = () => undefined;
      const inside = new Promise<void>((resolve) => (entered = resolve));
      const first = store().relayOutbox(async () => {
        entered();
        await held;
      }, 100);
      await inside;
      const second = subject?.openReplica ? await subject.openReplica() : store();
      try {
        expect(await second.relayOutbox(async () => undefined, 100)).toBe(-1);
      } finally {
        release();
        if (second !== store()) await second.close();
      }
      expect(await first).toBeGreaterThan(0);
    });

    it('never claims a task twice, with replicas claiming at once', async () => {
      const type = uniqueName('t');
      const ids = await queue(type, 40);
      const open = subject?.openReplica;
      const replicas = open ? await Promise.all([open(), open()]) : [store(), store()];
      try {
        const workers = [agent(type, { concurrency: 7 }), agent(type, { concurrency: 7 })];
        const rounds = await Promise.all(
          replicas.flatMap((replica, index) =>
            [1, 2, 3].map(() => replica.claim(request(workers, { owner: `replica-${index}`, limit: 5 }))),
          ),
        );
        const claimed = rounds.flatMap((round) => round.claimed);
        expect(new Set(claimed.map((attempt) => attempt.task.id)).size).toBe(claimed.length);
        expect(claimed).toHaveLength(14);
        for (const worker of workers) {
          expect(claimed.filter((attempt) => attempt.agentId === worker.id)).toHaveLength(7);
        }
        expect(claimed.every((attempt) => ids.includes(attempt.task.id))).toBe(true);
      } finally {
        if (open) await Promise.all(replicas.map((replica) => replica.close()));
      }
    });
  });
}
