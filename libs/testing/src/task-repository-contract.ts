import { randomUUID } from 'node:crypto';
import {
  TASK_STATUSES,
  type EventOutcome,
  type TaskEvent,
  type TaskRepository,
  type TaskStatus,
  type TaskView,
} from '@contextforge/contracts';
import { buildTask, buildTaskEvent, lifecycleEvents } from './task-fixtures';
import { describeTaskRepositoryBatch } from './task-repository-batch';
import { describeTaskRepositoryCache } from './task-repository-cache';
import { describeTaskRepositoryConcurrency } from './task-repository-concurrency';
import { describeTaskRepositoryFigures } from './task-repository-figures';
import { describeTaskRepositoryPayloads } from './task-repository-payloads';
import { describeTaskRepositorySequence } from './task-repository-sequence';
import { describeTaskRepositorySymbols } from './task-repository-symbols';
import { uniqueName } from './unique-name';

/** What a TaskRepository adapter under test hands the contract suite. */
export interface TaskRepositoryContractSubject {
  /** Connected. The suite shares it (and its store) between its tests; each test uses its own clients and ids. */
  repository: TaskRepository;
  /**
   * Opens and connects another repository on the same store, as a second replica would; the
   * suite closes it. Required when the suite runs with `replicas: true`.
   */
  openReplica?: () => Promise<TaskRepository>;
  /** Closes the repository and whatever the factory started (drops the test schema, ...). */
  cleanup(): Promise<void>;
}

/** Called once for the suite and once per figures test; each call must give an empty store. */
export type TaskRepositoryContractFactory = () => Promise<TaskRepositoryContractSubject>;

export interface TaskRepositoryContractOptions {
  /** Run the two-replica tests (adapters whose store several repository instances can share). */
  replicas?: boolean;
}

/**
 * The behaviour every TaskRepository adapter must show (see the port's doc comment), run once per
 * adapter: memory, PGlite and PostgreSQL. One subject serves the whole suite, so tests only look
 * at their own tasks (unique client ids) and count statuses as differences.
 *
 * Beyond the port's doc comment this suite pins down: a repeated task id is a repeat like a
 * repeated idempotency key; JSON input comes back as stored; an event for an unknown task is not
 * stored (it applies once the task exists); ignored events are stored (seen again they are
 * duplicates); listings are newest first with ties broken by id, and a foreign cursor or a bad
 * limit is VALIDATION_FAILED; applied events are numbered per task without gaps, also under
 * concurrent writers, and taskEvents pages that history; taskFigures counts and summarises (each
 * figures test calls the factory again for an empty store).
 */
export function describeTaskRepositoryContract(
  name: string,
  factory: TaskRepositoryContractFactory,
  options: TaskRepositoryContractOptions = {},
): void {
  describe(`TaskRepository contract: ${name}`, () => {
    let subject: TaskRepositoryContractSubject | undefined;
    const repo = (): TaskRepository => {
      if (!subject) throw new Error('the contract subject did not start');
      return subject.repository;
    };

    beforeAll(async () => {
      subject = await factory();
    });

    afterAll(async () => {
      await subject?.cleanup();
    });

    describe('tasks', () => {
      it('creates a task as queued at attempt 0 and reads it back', async () => {
        const task = buildTask({ clientId: uniqueName('client'), parentId: randomUUID() });
        const outcome = await repo().createTask(task);

        expect(outcome.created).toBe(true);
        expect(outcome.task).toMatchObject({ ...task, status: 'queued', attempt: 0 });
        for (const absent of ['statusReason', 'agentId', 'lastError', 'finishedAt', 'idempotencyKey']) {
          expect(Object.keys(outcome.task)).not.toContain(absent);
        }
        expect(Date.parse(outcome.task.updatedAt)).not.toBeNaN();
        expect(await repo().getTask(task.id)).toEqual(outcome.task);
      });

      it('keeps the trace context a task was submitted in, alone and in a batch', async () => {
        const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
        const alone = buildTask({ clientId: uniqueName('client'), traceparent });
        const batched = buildTask({ clientId: uniqueName('client'), traceparent });
        const untraced = buildTask({ clientId: uniqueName('client') });
        await repo().createTask(alone);
        await repo().createTasks([{ task: batched }, { task: untraced }]);

        expect((await repo().getTask(alone.id))?.traceparent).toBe(traceparent);
        expect((await repo().getTask(batched.id))?.traceparent).toBe(traceparent);
        expect(Object.keys((await repo().getTask(untraced.id)) ?? {})).not.toContain('traceparent');
      });

      it('returns input JSON as it was given', async () => {
        const input = {
          text: 'zaż\u00f3łć ✓',
          list: [1, 2.5, null, 'x', { deep: [true] }],
          empty: {},
          zero: 0,
        };
        const withObject = buildTask({ clientId: uniqueName('client'), input });
        const withNull = buildTask({ clientId: uniqueName('client'), input: null });
        await repo().createTask(withObject);
        await repo().createTask(withNull);

        expect((await repo().getTask(withObject.id))?.input).toEqual(input);
        expect((await repo().getTask(withNull.id))?.input).toBeNull();
      });

      it('returns undefined for an unknown task and result', async () => {
        expect(await repo().getTask(randomUUID())).toBeUndefined();
        expect(await repo().getResult(randomUUID())).toBeUndefined();
      });

      it('returns the existing task for the same client and idempotency key, a new one for another client', async () => {
        const clientId = uniqueName('client');
        const first = await repo().createTask(buildTask({ clientId, idempotencyKey: 'key-1' }));
        const again = await repo().createTask(buildTask({ clientId, idempotencyKey: 'key-1' }));
        const otherClient = await repo().createTask(
          buildTask({ clientId: uniqueName('client'), idempotencyKey: 'key-1' }),
        );

        expect(first.created).toBe(true);
        expect(again).toEqual({ created: false, task: first.task });
        expect(otherClient.created).toBe(true);
        expect(otherClient.task.id).not.toBe(first.task.id);
        expect((await repo().listTasks({ clientId })).tasks.map((task) => task.id)).toEqual([first.task.id]);
      });

      it('rejects an idempotency key reused for different work', async () => {
        const clientId = uniqueName('client');
        await repo().createTask(buildTask({ clientId, idempotencyKey: 'key-1', input: { a: 1 } }));

        await expect(
          repo().createTask(buildTask({ clientId, idempotencyKey: 'key-1', input: { a: 2 } })),
        ).rejects.toMatchObject({ code: 'IDEMPOTENCY_CONFLICT' });
        await expect(
          repo().createTask(
            buildTask({ clientId, idempotencyKey: 'key-1', input: { a: 1 }, type: 'review.diff' }),
          ),
        ).rejects.toMatchObject({ code: 'IDEMPOTENCY_CONFLICT' });
        expect((await repo().listTasks({ clientId })).tasks).toHaveLength(1);
      });

      it('accepts the same input with keys in another order as the same work', async () => {
        const clientId = uniqueName('client');
        const first = await repo().createTask(
          buildTask({ clientId, idempotencyKey: 'k', input: { a: 1, b: [1, 2] } }),
        );
        const again = await repo().createTask(
          buildTask({ clientId, idempotencyKey: 'k', input: { b: [1, 2], a: 1 } }),
        );

        expect(again.created).toBe(false);
        expect(again.task.id).toBe(first.task.id);
      });

      it('treats a repeated task id as a repeat', async () => {
        const task = buildTask({ clientId: uniqueName('client') });
        const first = await repo().createTask(task);
        const again = await repo().createTask(task);

        expect(again).toEqual({ created: false, task: first.task });
        await expect(repo().createTask({ ...task, input: { other: true } })).rejects.toMatchObject({
          code: 'IDEMPOTENCY_CONFLICT',
        });
      });

      it('creates one task when the same key is submitted concurrently', async () => {
        const clientId = uniqueName('client');
        const outcomes = await Promise.all(
          Array.from({ length: 8 }, () =>
            repo().createTask(buildTask({ clientId, idempotencyKey: 'burst' })),
          ),
        );

        expect(outcomes.filter((outcome) => outcome.created)).toHaveLength(1);
        expect(new Set(outcomes.map((outcome) => outcome.task.id)).size).toBe(1);
      });
    });

    describe('events', () => {
      const create = async (): Promise<TaskView> =>
        (await repo().createTask(buildTask({ clientId: uniqueName('client') }))).task;

      it('runs queued -> dispatched -> started -> succeeded and stores exactly one result', async () => {
        const task = await create();
        const [dispatched, started, succeeded] = lifecycleEvents(task.id, 1, 'agent-7') as [
          TaskEvent,
          TaskEvent,
          TaskEvent,
        ];

        const statuses: TaskStatus[] = [];
        for (const event of [dispatched, started, succeeded]) {
          const [outcome] = await repo().applyEvents([event]);
          expect(outcome).toMatchObject({ eventId: event.eventId, taskId: task.id, outcome: 'applied' });
          statuses.push(outcome?.task?.status ?? 'queued');
        }

        expect(statuses).toEqual(['dispatched', 'running', 'succeeded']);
        const stored = await repo().getTask(task.id);
        expect(stored).toMatchObject({ status: 'succeeded', attempt: 1, agentId: 'agent-7' });
        expect(Date.parse(stored?.finishedAt ?? '')).not.toBeNaN();
        expect(await repo().getResult(task.id)).toEqual({
          taskId: task.id,
          attempt: 1,
          agentId: 'agent-7',
          output: { taskId: task.id, ok: true },
          durationMs: 7,
          createdAt: expect.any(String),
        });
      });

      it('applies a batch in order and reports the task after each applied event', async () => {
        const task = await create();
        const events = [
          buildTaskEvent('dispatched', task.id, 1),
          buildTaskEvent('started', task.id, 1),
          buildTaskEvent('progress', task.id, 1),
          buildTaskEvent('succeeded', task.id, 1, { output: 'done', durationMs: 3.4 }),
        ];
        const outcomes = await repo().applyEvents(events);

        expect(outcomes.map((outcome) => [outcome.eventId, outcome.outcome, outcome.task?.status])).toEqual([
          [events[0]?.eventId, 'applied', 'dispatched'],
          [events[1]?.eventId, 'applied', 'running'],
          [events[2]?.eventId, 'applied', 'running'],
          [events[3]?.eventId, 'applied', 'succeeded'],
        ]);
        expect(outcomes[3]?.task).toEqual(await repo().getTask(task.id));
        expect(await repo().getResult(task.id)).toMatchObject({ output: 'done', durationMs: 3 });
      });

      it('applies an empty batch', async () => {
        expect(await repo().applyEvents([])).toEqual([]);
      });

      it('treats a repeated event id as a duplicate, within a batch and across batches', async () => {
        const task = await create();
        const dispatched = buildTaskEvent('dispatched', task.id, 1);
        const failed = buildTaskEvent('failed', task.id, 1);

        const first = await repo().applyEvents([dispatched, dispatched]);
        const after = await repo().getTask(task.id);
        const second = await repo().applyEvents([dispatched, failed, failed]);

        expect(first.map((outcome) => outcome.outcome)).toEqual(['applied', 'duplicate']);
        expect(second.map((outcome) => outcome.outcome)).toEqual(['duplicate', 'applied', 'duplicate']);
        expect(second[0]?.task).toBeUndefined();
        expect(after?.status).toBe('dispatched');
        expect(await repo().getTask(task.id)).toMatchObject({ status: 'failed', lastError: failed.error });
      });

      it('records but does not apply events of a superseded attempt', async () => {
        const task = await create();
        await repo().applyEvents([buildTaskEvent('dispatched', task.id, 2, { agentId: 'agent-new' })]);
        const before = await repo().getTask(task.id);
        const late = buildTaskEvent('succeeded', task.id, 1, { agentId: 'agent-old' });

        const [outcome] = await repo().applyEvents([late]);
        const [again] = await repo().applyEvents([late]);

        expect(outcome).toEqual({
          eventId: late.eventId,
          taskId: task.id,
          outcome: 'ignored',
          reason: 'STALE_ATTEMPT',
        });
        expect(again?.outcome).toBe('duplicate');
        expect(await repo().getTask(task.id)).toEqual(before);
        expect(await repo().getResult(task.id)).toBeUndefined();
      });

      it('never moves a succeeded task back to running', async () => {
        const task = await create();
        await repo().applyEvents(lifecycleEvents(task.id, 1));
        const done = await repo().getTask(task.id);

        const [outcome] = await repo().applyEvents([buildTaskEvent('started', task.id, 1)]);

        expect(outcome).toMatchObject({ outcome: 'ignored', reason: 'INVALID_TRANSITION' });
        expect(await repo().getTask(task.id)).toEqual(done);
      });

      it('keeps the first result when another attempt also reports success', async () => {
        const task = await create();
        await repo().applyEvents(lifecycleEvents(task.id, 1, 'agent-a'));
        const [outcome] = await repo().applyEvents([
          buildTaskEvent('succeeded', task.id, 2, { agentId: 'agent-b', output: { second: true } }),
        ]);

        expect(outcome?.outcome).toBe('ignored');
        expect(await repo().getResult(task.id)).toMatchObject({
          attempt: 1,
          agentId: 'agent-a',
          output: { taskId: task.id, ok: true },
        });
        expect(await repo().getTask(task.id)).toMatchObject({ status: 'succeeded', attempt: 1 });
      });

      it('reports events of unknown tasks without storing them', async () => {
        const taskId = randomUUID();
        const event = buildTaskEvent('dispatched', taskId, 1);

        expect(await repo().applyEvents([event])).toEqual([
          { eventId: event.eventId, taskId, outcome: 'unknown_task', reason: expect.any(String) },
        ]);
        await repo().createTask(buildTask({ id: taskId, clientId: uniqueName('client') }));
        expect((await repo().applyEvents([event]))[0]?.outcome).toBe('applied');
      });

      it('retries: failed, re-queued with a reason, dispatched again, succeeded', async () => {
        const task = await create();
        const failure = buildTaskEvent('failed', task.id, 1);
        await repo().applyEvents([buildTaskEvent('dispatched', task.id, 1), failure]);
        expect(await repo().getTask(task.id)).toMatchObject({ status: 'failed', lastError: failure.error });

        await repo().applyEvents([
          buildTaskEvent('queued', task.id, 1, { reason: 'retry 1 of 3 in 200 ms' }),
        ]);
        const requeued = await repo().getTask(task.id);
        expect(requeued).toMatchObject({
          status: 'queued',
          attempt: 1,
          statusReason: 'retry 1 of 3 in 200 ms',
        });
        expect(requeued).not.toHaveProperty('agentId');

        await repo().applyEvents(lifecycleEvents(task.id, 2, 'agent-b'));
        expect(await repo().getTask(task.id)).toMatchObject({
          status: 'succeeded',
          attempt: 2,
          agentId: 'agent-b',
        });
        expect(await repo().getResult(task.id)).toMatchObject({ attempt: 2, agentId: 'agent-b' });
      });

      it('dead-letters with the error, and a re-drive with a newer attempt queues the task again', async () => {
        const task = await create();
        const dead = buildTaskEvent('dead_lettered', task.id, 1);
        await repo().applyEvents([buildTaskEvent('dispatched', task.id, 1), dead]);
        const buried = await repo().getTask(task.id);
        expect(buried).toMatchObject({
          status: 'dead_lettered',
          lastError: dead.error,
          statusReason: dead.error.message,
        });
        expect(Date.parse(buried?.finishedAt ?? '')).not.toBeNaN();

        const [redrive] = await repo().applyEvents([
          buildTaskEvent('queued', task.id, 2, { reason: 're-driven' }),
        ]);
        expect(redrive?.outcome).toBe('applied');
        const requeued = await repo().getTask(task.id);
        expect(requeued).toMatchObject({ status: 'queued', attempt: 2, statusReason: 're-driven' });
        expect(requeued).not.toHaveProperty('finishedAt');
      });

      it('keeps a cancelled task cancelled', async () => {
        const task = await create();
        await repo().applyEvents([buildTaskEvent('cancelled', task.id, 0, { reason: 'client asked' })]);
        const [late] = await repo().applyEvents([buildTaskEvent('dispatched', task.id, 0)]);

        expect(late?.outcome).toBe('ignored');
        expect(await repo().getTask(task.id)).toMatchObject({
          status: 'cancelled',
          statusReason: 'client asked',
        });
      });

      it('applies batches naming many tasks, keeping each task in order', async () => {
        const tasks = await Promise.all(Array.from({ length: 40 }, create));
        const perTask = tasks.map((task) => lifecycleEvents(task.id, 1));
        // Round-robin: every batch holds events of many tasks, each task's events stay in order.
        const interleaved = [0, 1, 2].flatMap((step) => perTask.map((events) => events[step] as TaskEvent));
        const unknown = buildTaskEvent('dispatched', randomUUID(), 1);
        const stale = buildTaskEvent('failed', tasks[0]?.id ?? '', 0);
        const batch = [...interleaved.slice(0, 70), unknown, interleaved[3] as TaskEvent, stale];

        const first = await repo().applyEvents(batch);
        const second = await repo().applyEvents(interleaved.slice(70));

        expect(count(first)).toEqual({ applied: 70, unknown_task: 1, duplicate: 1, ignored: 1 });
        expect(count(second)).toEqual({ applied: 50 });
        const stored = await Promise.all(tasks.map((task) => repo().getTask(task.id)));
        expect(stored.map((task) => task?.status)).toEqual(tasks.map(() => 'succeeded'));
        const results = await Promise.all(tasks.map((task) => repo().getResult(task.id)));
        expect(results.map((result) => result?.output)).toEqual(
          tasks.map((task) => ({ taskId: task.id, ok: true })),
        );
      });
    });

    describe('listing and counting', () => {
      it('lists a client\u2019s tasks newest first, paging with a cursor', async () => {
        const clientId = uniqueName('client');
        const base = Date.parse('2030-01-01T00:00:00.000Z');
        // Two tasks share a createdAt, split by the first page boundary: the id breaks the tie.
        const offsets = [0, 1000, 2000, 3000, 3000, 4000, 5000];
        const tasks = offsets.map((offset) =>
          buildTask({ clientId, createdAt: new Date(base + offset).toISOString() }),
        );
        for (const task of tasks) await repo().createTask(task);
        await repo().createTask(
          buildTask({ clientId: uniqueName('client'), createdAt: new Date(base + 2500).toISOString() }),
        );

        const pages: string[][] = [];
        let cursor: string | undefined;
        do {
          const page = await repo().listTasks({ clientId, limit: 3, ...(cursor ? { cursor } : {}) });
          pages.push(page.tasks.map((task) => task.id));
          cursor = page.nextCursor;
        } while (cursor && pages.length < 10);

        const expected = [...tasks]
          .sort((a, b) =>
            a.createdAt === b.createdAt ? (a.id < b.id ? 1 : -1) : a.createdAt < b.createdAt ? 1 : -1,
          )
          .map((task) => task.id);
        expect(pages.map((page) => page.length)).toEqual([3, 3, 1]);
        expect(pages.flat()).toEqual(expected);
      });

      it('ends without a cursor when the last page is exactly full', async () => {
        const clientId = uniqueName('client');
        for (let index = 0; index < 2; index += 1) await repo().createTask(buildTask({ clientId }));

        const page = await repo().listTasks({ clientId, limit: 2 });

        expect(page.tasks).toHaveLength(2);
        expect(page.nextCursor).toBeUndefined();
      });

      it('filters by status, type and agent', async () => {
        const clientId = uniqueName('client');
        const review = await repo().createTask(buildTask({ clientId, type: 'review.diff' }));
        const running = await repo().createTask(buildTask({ clientId }));
        const done = await repo().createTask(buildTask({ clientId }));
        await repo().applyEvents([
          buildTaskEvent('dispatched', running.task.id, 1, { agentId: 'agent-x' }),
          buildTaskEvent('started', running.task.id, 1, { agentId: 'agent-x' }),
          ...lifecycleEvents(done.task.id, 1, 'agent-y'),
        ]);
        const ids = async (filter: Parameters<TaskRepository['listTasks']>[0]): Promise<string[]> =>
          (await repo().listTasks({ clientId, ...filter })).tasks.map((task) => task.id).sort();

        expect(await ids({ status: 'running' })).toEqual([running.task.id]);
        expect(await ids({ status: 'queued' })).toEqual([review.task.id]);
        expect(await ids({ type: 'review.diff' })).toEqual([review.task.id]);
        expect(await ids({ agentId: 'agent-y' })).toEqual([done.task.id]);
        expect(await ids({ status: 'succeeded', agentId: 'agent-x' })).toEqual([]);
        expect(await ids({})).toEqual([review.task.id, running.task.id, done.task.id].sort());
      });

      it('lists the children of a parent task, and keeps their parentId', async () => {
        const clientId = uniqueName('client');
        const parent = await repo().createTask(buildTask({ clientId, type: 'repo-analysis' }));
        const children = [];
        for (let index = 0; index < 3; index += 1) {
          children.push(await repo().createTask(buildTask({ clientId, parentId: parent.task.id })));
        }
        await repo().createTask(buildTask({ clientId }));
        const page = await repo().listTasks({ parentId: parent.task.id, limit: 2 });
        expect(page.tasks).toHaveLength(2);
        const rest = await repo().listTasks({ parentId: parent.task.id, cursor: page.nextCursor as string });
        const listed = [...page.tasks, ...rest.tasks];
        expect(listed.map((task) => task.id).sort()).toEqual(children.map((child) => child.task.id).sort());
        expect(listed.every((task) => task.parentId === parent.task.id)).toBe(true);
        expect((await repo().getTask(parent.task.id))?.parentId).toBeUndefined();
      });

      it('rejects a cursor it did not issue and a bad limit', async () => {
        await expect(repo().listTasks({ cursor: 'not-a-cursor' })).rejects.toMatchObject({
          code: 'VALIDATION_FAILED',
        });
        await expect(repo().listTasks({ limit: 0 })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
        await expect(repo().listTasks({ limit: 2.5 })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
      });

      it('counts tasks by status', async () => {
        const before = await repo().countByStatus();
        const clientId = uniqueName('client');
        const [, running, done] = await Promise.all(
          [0, 1, 2].map(async () => (await repo().createTask(buildTask({ clientId }))).task),
        );
        await repo().applyEvents([
          buildTaskEvent('started', running?.id ?? '', 1),
          ...lifecycleEvents(done?.id ?? '', 1),
        ]);

        const after = await repo().countByStatus();

        expect(Object.keys(after).sort()).toEqual([...TASK_STATUSES].sort());
        const delta = Object.fromEntries(
          TASK_STATUSES.map((status) => [status, after[status] - before[status]]),
        );
        expect(delta).toEqual({ ...zeroCounts(), queued: 1, running: 1, succeeded: 1 });
      });
    });

    describeTaskRepositoryBatch(repo);

    describeTaskRepositorySequence(repo);

    describeTaskRepositoryCache(repo);

    describeTaskRepositorySymbols(repo);

    describeTaskRepositoryPayloads(repo);

    describeTaskRepositoryFigures(factory);

    describeTaskRepositoryConcurrency(repo, () => subject?.openReplica, options.replicas ?? false);
  });
}

function count(outcomes: readonly EventOutcome[]): Partial<Record<EventOutcome['outcome'], number>> {
  const counts: Partial<Record<EventOutcome['outcome'], number>> = {};
  for (const { outcome } of outcomes) counts[outcome] = (counts[outcome] ?? 0) + 1;
  return counts;
}

function zeroCounts(): Record<TaskStatus, number> {
  return Object.fromEntries(TASK_STATUSES.map((status) => [status, 0])) as Record<TaskStatus, number>;
}
