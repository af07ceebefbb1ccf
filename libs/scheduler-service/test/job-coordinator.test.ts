import {
  CONSUMER_GROUPS,
  TaskEventSchema,
  topicNames,
  type RepoReport,
  type Task,
  type TaskEvent,
  type TaskView,
} from '@contextforge/contracts';
import { MemoryMessageBus } from '@contextforge/messaging';
import { createSilentLogger } from '@contextforge/observability';
import { deferred, uniqueName } from '@contextforge/testing';
import { JobCoordinator, type JobCoordinatorOptions } from '../src/jobs/job-coordinator';
import { FILES, FakeStore, base, chunkOutput, jobView } from './support/fake-job-store';

/**
 * The coordinator against FakeStore and a fake fleet that runs children at once: the scan lists
 * the files, a chunk succeeds unless it holds `poison.ts`, in which case it fails every attempt and
 * is dead-lettered (as the scheduler does). Jobs reach the coordinator only through the
 * task-changes topic or recover().
 */

describe('JobCoordinator', () => {
  let bus: MemoryMessageBus;
  let store: FakeStore;
  let coordinator: JobCoordinator;
  const topics = topicNames(uniqueName('jobs'));
  const runs: string[] = [];
  /** A chunk holding this file runs and succeeds, but its changes are never announced. */
  let unannounced: string | undefined;
  /** Children it matches start and never finish. */
  let held: ((task: Task) => boolean) | undefined;
  /** What the scan lists (10 bytes each). */
  let scanned: readonly string[] = FILES;

  beforeEach(async () => {
    unannounced = undefined;
    held = undefined;
    scanned = FILES;
    bus = new MemoryMessageBus();
    await bus.connect();
    store = new FakeStore(bus, topics);
    coordinator = new JobCoordinator({ bus, topics, resultStore: store, logger: createSilentLogger() });
    await coordinator.start();
    // The store applies every task event (the coordinator's own ones for the parent included).
    await bus.subscribe({
      topic: topics.taskEvents,
      group: 'store',
      handler: async (messages) => {
        for (const message of messages) await store.apply(TaskEventSchema.parse(message.value));
      },
    });
    // The fake fleet: runs children the moment they are submitted; the coordinator gets the job.
    await bus.subscribe({
      topic: topics.tasksSubmitted,
      group: 'fleet',
      handler: async (messages) => {
        for (const message of messages) {
          const { task } = message.value as { task: Task };
          if (task.type === 'repo-analysis') continue;
          runs.push(task.type);
          const input = task.input as { files?: string[] };
          if (held?.(task)) {
            await store.apply({ ...base(task.id, 1), type: 'started', agentId: 'fake' });
            continue;
          }
          if (unannounced !== undefined && input.files?.includes(unannounced)) {
            const silently = { silently: true };
            await store.apply({ ...base(task.id, 1), type: 'started', agentId: 'fake' }, silently);
            await store.apply(
              {
                ...base(task.id, 1),
                type: 'succeeded',
                agentId: 'fake',
                output: chunkOutput(input.files),
                durationMs: 1,
              },
              silently,
            );
            continue;
          }
          await store.apply({ ...base(task.id, 1), type: 'started', agentId: 'fake' });
          if (task.type === 'repo-scan') {
            const files = scanned.map((path) => ({ path, bytes: 10 }));
            const output = { files, skipped: [], totalBytes: 10 * files.length };
            await store.apply({
              ...base(task.id, 1),
              type: 'succeeded',
              agentId: 'fake',
              output,
              durationMs: 1,
            });
          } else if (input.files?.includes('poison.ts')) {
            const error = {
              code: 'TASK_TIMEOUT' as const,
              message: 'no outcome within 10 ms',
              retryable: true,
            };
            await store.apply({ ...base(task.id, 1), type: 'dead_lettered', error });
          } else {
            await store.apply({
              ...base(task.id, 1),
              type: 'succeeded',
              agentId: 'fake',
              output: chunkOutput(input.files ?? []),
              durationMs: 1,
            });
          }
        }
      },
    });
  });

  /** Replaces the coordinator by one with these options (before anything is submitted). */
  const restartCoordinator = async (options: Partial<JobCoordinatorOptions>) => {
    await coordinator.stop();
    coordinator = new JobCoordinator({
      bus,
      topics,
      resultStore: store,
      logger: createSilentLogger(),
      ...options,
    });
    await coordinator.start();
  };

  afterEach(async () => {
    await coordinator.stop();
    await bus.close();
  });

  /** `seen` resolves with the task once a change of it matches; subscribed before it returns. */
  const changeOf = async (taskId: string, matches: (task: TaskView, event: TaskEvent) => boolean) => {
    const seen = deferred<TaskView>();
    await bus.subscribe({
      topic: topics.taskChanges,
      group: uniqueName('watch'),
      handler: async (messages) => {
        for (const message of messages) {
          const { task, event } = message.value as { task: TaskView; event: TaskEvent };
          if (task.id === taskId && matches(task, event)) seen.resolve(task);
        }
      },
    });
    return { seen: seen.promise };
  };

  const submitJob = async (input: Record<string, unknown>, timeoutMs = 60_000) => {
    const finished = deferred<TaskView>();
    let jobId = '';
    await bus.subscribe({
      topic: topics.taskChanges,
      group: uniqueName('watch'),
      handler: async (messages) => {
        for (const message of messages) {
          const { task } = message.value as { task: TaskView };
          if (task.id === jobId && ['succeeded', 'dead_lettered', 'cancelled'].includes(task.status)) {
            finished.resolve(task);
          }
        }
      },
    });
    const { task } = await store.submit(
      {
        type: 'repo-analysis',
        input,
        priority: 5,
        requiredCapabilities: [],
        timeoutMs,
        maxAttempts: 1,
      },
      'client-a',
    );
    jobId = task.id;
    return { jobId, finished: finished.promise };
  };

  it('finishes with a report that lists the files of a chunk that finally failed', async () => {
    const { jobId, finished } = await submitJob({ root: '/repo', chunkBytes: 20 });
    const job = await finished;
    expect(job.status).toBe('succeeded');
    const report = store.results.get(jobId)?.output as RepoReport;
    expect(report.complete).toBe(false);
    expect(report.chunks).toEqual({ total: 3, succeeded: 2, failed: 1 });
    expect(report.totals.files).toBe(4);
    const failed = report.missing.chunks[0];
    expect(failed).toMatchObject({
      status: 'dead_lettered',
      reason: 'TASK_TIMEOUT: no outcome within 10 ms',
    });
    expect(report.missing.files.map((file) => file.path)).toEqual(expect.arrayContaining(['poison.ts']));
    expect(report.missing.count).toBe(2);
    expect(report.missing.count + report.totals.files).toBe(FILES.length);

    const children = [...store.tasks.values()].filter((task) => task.parentId === jobId);
    expect(children.map((child) => child.idempotencyKey).sort()).toEqual([
      `${jobId}:chunk:0`,
      `${jobId}:chunk:1`,
      `${jobId}:chunk:2`,
      `${jobId}:scan`,
    ]);
    expect(children.every((child) => child.clientId === 'client-a')).toBe(true);
  });

  it('dead-letters a job with invalid input without running anything', async () => {
    runs.length = 0;
    const { finished } = await submitJob({ root: 'relative/path' });
    const job = await finished;
    expect(job.status).toBe('dead_lettered');
    expect(job.lastError?.code).toBe('VALIDATION_FAILED');
    expect(runs).toEqual([]);
  });

  it('ignores a job that is already final when adopted again (a new leader), submitting nothing', async () => {
    const { jobId, finished } = await submitJob({ root: '/repo', chunkBytes: 20 });
    await finished;
    const before = store.tasks.size;
    // A new leader adopting the (now final) job does nothing; children are idempotent per key.
    coordinator.adopt((await store.getTask(jobId)) as TaskView);
    expect(coordinator.activeJobs()).toEqual([]);
    expect(store.tasks.size).toBe(before);
  });

  it('adopts every open job in the store on recover(), and none that is final', async () => {
    const queued = store.put(jobView());
    const running = store.put(
      jobView({ status: 'running', attempt: 1, agentId: 'job-coordinator', eventSeq: 3 }),
    );
    const done = store.put(jobView({ status: 'succeeded', attempt: 1, eventSeq: 4 }));
    const watches = await Promise.all(
      [queued, running].map(async (job) => changeOf(job.id, (task) => task.status === 'succeeded')),
    );

    expect(await coordinator.recover()).toBe(2);
    expect(coordinator.activeJobs().sort()).toEqual([queued.id, running.id].sort());
    const [first, second] = await Promise.all(watches.map(async ({ seen }) => seen));
    expect(first?.attempt).toBe(1);
    expect(second?.attempt).toBe(1);
    expect([...store.tasks.values()].filter((task) => task.parentId === done.id)).toEqual([]);
    expect(await coordinator.recover()).toBe(0);
  });

  it('adopts a new job from its change on tasks.changes, and a repeated change does nothing', async () => {
    const job = store.put(jobView());
    const finished = await changeOf(job.id, (task) => task.status === 'succeeded');
    const created = { seq: 1, event: { ...base(job.id, 0), type: 'queued' }, task: job };
    await bus.publish(topics.taskChanges, [{ key: job.id, value: created }]);
    expect((await finished.seen).status).toBe('succeeded');

    // Delivered again (at least once): the job finished here at this attempt is not adopted again.
    const reads = store.reads;
    await bus.publish(topics.taskChanges, [{ key: job.id, value: created }]);
    await bus.waitForGroup(CONSUMER_GROUPS.jobCoordinator, topics.taskChanges);
    expect(store.reads).toBe(reads);
    expect(coordinator.activeJobs()).toEqual([]);
  });

  it('adopts a re-driven job again from its change (a newer attempt)', async () => {
    const { jobId, finished } = await submitJob({ root: 'relative/path' });
    expect((await finished).attempt).toBe(0);
    const again = await changeOf(jobId, (task) => task.status === 'dead_lettered' && task.attempt === 1);
    await store.apply({ ...base(jobId, 1), type: 'queued', reason: 're-driven' });
    expect((await again.seen).lastError?.code).toBe('VALIDATION_FAILED');
  });

  it('picks up a chunk whose change was never delivered when it reconciles with the store', async () => {
    await restartCoordinator({ reconcileIntervalMs: 20 });
    unannounced = 'a.ts';
    const { jobId, finished } = await submitJob({ root: '/repo', chunkBytes: 20 });
    const job = await finished;
    expect(job.status).toBe('succeeded');
    const report = store.results.get(jobId)?.output as RepoReport;
    expect(report.chunks).toEqual({ total: 3, succeeded: 2, failed: 1 });
    expect(report.missing.files.map((file) => file.path)).not.toContain('a.ts');
  });

  it('ends a job at its deadline, naming the chunks not finished and cancelling them', async () => {
    held = (task) => (task.input as { files?: string[] }).files?.includes('c.ts') === true;
    const { jobId, finished } = await submitJob({ root: '/repo', chunkBytes: 20 }, 500);
    const job = await finished;
    expect(job.status).toBe('dead_lettered');
    expect(job.lastError).toMatchObject({
      code: 'TASK_TIMEOUT',
      details: { stage: 'chunks', timeoutMs: 500, chunks: 3, missingChunks: 1, missingFiles: 2 },
    });
    const children = [...store.tasks.values()].filter((task) => task.parentId === jobId);
    const stuck = children.find((task) => (task.input as { files?: string[] }).files?.includes('c.ts'));
    const index = Number(stuck?.idempotencyKey?.split(':').at(-1));
    expect(job.lastError?.details?.['missing']).toEqual([
      { index, files: 2, taskId: stuck?.id, status: 'running' },
    ]);
    expect(job.lastError?.message).toContain(`1 of 3 chunks had not finished (${index})`);
    expect(store.tasks.get(stuck?.id ?? '')?.status).toBe('cancelled');
    expect(
      children.filter((child) => child.id !== stuck?.id).every((child) => child.status !== 'cancelled'),
    ).toBe(true);
    expect(coordinator.activeJobs()).toEqual([]);
  });

  it('ends a job whose scan never finishes at its deadline, cancelling the scan', async () => {
    held = (task) => task.type === 'repo-scan';
    const { jobId, finished } = await submitJob({ root: '/repo' }, 200);
    const job = await finished;
    expect(job.status).toBe('dead_lettered');
    expect(job.lastError).toMatchObject({ code: 'TASK_TIMEOUT', details: { stage: 'scan' } });
    const children = [...store.tasks.values()].filter((task) => task.parentId === jobId);
    expect(children.map((child) => [child.type, child.status])).toEqual([['repo-scan', 'cancelled']]);
  });

  it('ends a job adopted after its deadline at once, submitting nothing', async () => {
    const createdAt = new Date(Date.now() - 2 * 3_600_000).toISOString();
    const late = store.put(jobView({ createdAt, updatedAt: createdAt, timeoutMs: 3_600_000 }));
    const ended = await changeOf(late.id, (task) => task.status === 'dead_lettered');
    expect(await coordinator.recover()).toBe(1);
    const job = await ended.seen;
    expect(job.lastError).toMatchObject({
      code: 'TASK_TIMEOUT',
      details: { stage: 'scan', deadline: new Date(Date.parse(createdAt) + 3_600_000).toISOString() },
    });
    expect([...store.tasks.values()].filter((task) => task.parentId === late.id)).toEqual([]);
  });

  it('rebuilds a 600-chunk job with one listTasks pass over its children, 500 a page', async () => {
    await restartCoordinator({ reconcileIntervalMs: 0 });
    scanned = Array.from({ length: 600 }, (_, index) => `f${String(index).padStart(3, '0')}.ts`);
    unannounced = 'f123.ts';
    const { jobId, finished } = await submitJob({ root: '/repo', chunkBytes: 10 });
    const all = await changeOf(jobId, (_, event) => event.type === 'progress' && event.progress.done === 599);
    await all.seen;

    const before = store.listed.length;
    await coordinator.reconcile();
    const job = await finished;
    expect(job.status).toBe('succeeded');
    expect((store.results.get(jobId)?.output as RepoReport).chunks).toEqual({
      total: 600,
      succeeded: 600,
      failed: 0,
    });
    const children = store.listed.slice(before).filter((filter) => filter.parentId === jobId);
    expect(children.map((filter) => [filter.limit, filter.cursor])).toEqual([
      [500, undefined],
      [500, '500'],
    ]);
  }, 20_000);
});
