import type { TaskRepository, TaskStatus } from '@contextforge/contracts';
import { buildTask, buildTaskEvent, lifecycleEvents } from './task-fixtures';
import { uniqueName } from './unique-name';
import { waitFor } from './wait-for';

/** What the figures tests need of the contract subject: a fresh, empty store per test. */
export interface FiguresSubject {
  repository: TaskRepository;
  cleanup(): Promise<void>;
}

/**
 * TaskRepository.taskFigures. Figures cover the whole store, so each test opens an empty one of
 * its own through the suite's factory.
 */
export function describeTaskRepositoryFigures(open: () => Promise<FiguresSubject>): void {
  describe('task figures', () => {
    let subject: FiguresSubject | undefined;
    const repo = (): TaskRepository => {
      if (!subject) throw new Error('the figures subject did not start');
      return subject.repository;
    };

    beforeEach(async () => {
      subject = await open();
    });

    afterEach(async () => {
      await subject?.cleanup();
      subject = undefined;
    });

    const createAt = async (createdAt: Date): Promise<string> => {
      const task = buildTask({ clientId: uniqueName('client'), createdAt: createdAt.toISOString() });
      return (await repo().createTask(task)).task.id;
    };
    const succeed = (taskId: string, durationMs: number, agentId = 'agent-a') =>
      repo().applyEvents([
        ...lifecycleEvents(taskId, 1, agentId).slice(0, 2),
        buildTaskEvent('succeeded', taskId, 1, { agentId, durationMs }),
      ]);

    it('reports zeros and no percentiles for an empty store', async () => {
      expect(await repo().taskFigures(new Date(0))).toEqual({
        byStatus: zeros(),
        inFlightByAgent: {},
        queuedByPriority: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
        finished: { succeeded: 0, cancelled: 0, dead_lettered: 0 },
        latencyMs: { count: 0, p50: null, p95: null, p99: null, max: null },
        runTimeMs: { count: 0, p50: null, p95: null, p99: null, max: null },
      });
    });

    it('counts by status and in-flight agent, and summarises the tasks finished since a time', async () => {
      const start = Date.now();
      const early = await createAt(new Date(start - 1_000));
      await succeed(early, 5_000);
      const earlyFinishedAt = Date.parse((await repo().getTask(early))?.finishedAt ?? '');
      const since = new Date(earlyFinishedAt + 1);
      // Everything below finishes after `since` (timestamps have millisecond precision).
      await waitFor(() => Date.now() > since.getTime(), { label: 'the clock to pass since' });

      await createAt(new Date());
      const [dispatched, runningX, runningY, failed, cancelled, dead] = await Promise.all(
        [0, 1, 2, 3, 4, 5].map(() => createAt(new Date())),
      );
      const succeededIds: string[] = [];
      for (const [index, offset] of [4_000, 1_000, 3_000, 2_000].entries()) {
        const id = await createAt(new Date(start - offset));
        succeededIds.push(id);
        await succeed(id, (index + 1) * 10);
      }
      await repo().applyEvents([
        buildTaskEvent('dispatched', dispatched ?? '', 1, { agentId: 'agent-x' }),
        ...lifecycleEvents(runningX ?? '', 1, 'agent-x').slice(0, 2),
        ...lifecycleEvents(runningY ?? '', 1, 'agent-y').slice(0, 2),
        buildTaskEvent('dispatched', failed ?? '', 1, { agentId: 'agent-y' }),
        buildTaskEvent('failed', failed ?? '', 1, { agentId: 'agent-y' }),
        buildTaskEvent('cancelled', cancelled ?? '', 0),
        buildTaskEvent('dead_lettered', dead ?? '', 0),
      ]);

      const figures = await repo().taskFigures(since);
      const withEarly = await repo().taskFigures(new Date(earlyFinishedAt));
      const future = await repo().taskFigures(new Date(Date.now() + 3_600_000));

      expect(figures.byStatus).toEqual({
        ...zeros(),
        queued: 1,
        dispatched: 1,
        running: 2,
        failed: 1,
        succeeded: 5,
        cancelled: 1,
        dead_lettered: 1,
      });
      expect(figures.inFlightByAgent).toEqual({ 'agent-x': 2, 'agent-y': 1 });
      expect(figures.queuedByPriority).toEqual([0, 0, 0, 0, 0, 1, 0, 0, 0, 0]);
      expect(figures.finished).toEqual({ succeeded: 4, cancelled: 1, dead_lettered: 1 });
      // Run times 10, 20, 30, 40: percentiles interpolate between the closest ranks.
      expect(figures.runTimeMs).toEqual({ count: 4, p50: 25, p95: 38.5, p99: expect.any(Number), max: 40 });
      expect(figures.runTimeMs.p99).toBeCloseTo(39.7, 9);

      const stored = await Promise.all(succeededIds.map((id) => repo().getTask(id)));
      const latencies = stored
        .map((task) => Date.parse(task?.finishedAt ?? '') - Date.parse(task?.createdAt ?? ''))
        .sort((a, b) => a - b) as [number, number, number, number];
      const between = (low: number, high: number, fraction: number) => low + (high - low) * fraction;
      expect(figures.latencyMs.count).toBe(4);
      expect(figures.latencyMs.p50).toBeCloseTo(between(latencies[1], latencies[2], 0.5), 6);
      expect(figures.latencyMs.p95).toBeCloseTo(between(latencies[2], latencies[3], 0.85), 6);
      expect(figures.latencyMs.p99).toBeCloseTo(between(latencies[2], latencies[3], 0.97), 6);
      expect(figures.latencyMs.max).toBe(latencies[3]);
      expect(latencies[0]).toBeGreaterThanOrEqual(1_000);

      expect(withEarly.finished.succeeded).toBe(5);
      expect(withEarly.runTimeMs).toMatchObject({ count: 5, p50: 30, max: 5_000 });
      expect(future.finished).toEqual({ succeeded: 0, cancelled: 0, dead_lettered: 0 });
      expect(future.latencyMs.count).toBe(0);
      expect(future.runTimeMs.p50).toBeNull();
      expect(future.byStatus).toEqual(figures.byStatus);
    });
  });
}

function zeros(): Record<TaskStatus, number> {
  return {
    queued: 0,
    dispatched: 0,
    running: 0,
    failed: 0,
    succeeded: 0,
    cancelled: 0,
    dead_lettered: 0,
  };
}
