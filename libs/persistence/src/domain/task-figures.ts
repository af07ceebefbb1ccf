import {
  TASK_PRIORITY_MAX,
  TASK_STATUSES,
  type DurationSummary,
  type TaskFigures,
  type TaskResultView,
  type TaskStatus,
  type TaskView,
} from '@contextforge/contracts';

/** The percentiles TaskFigures reports, as fractions (the SQL adapter passes the same list). */
export const PERCENTILES = [0.5, 0.95, 0.99] as const;

export function zeroByStatus(): Record<TaskStatus, number> {
  return Object.fromEntries(TASK_STATUSES.map((status) => [status, 0])) as Record<TaskStatus, number>;
}

export function zeroByPriority(): number[] {
  return new Array<number>(TASK_PRIORITY_MAX + 1).fill(0);
}

/**
 * TaskFigures computed over tasks in memory: what the SQL adapter computes with one GROUP BY and one
 * aggregate over the window (see task-figures-sql.ts), including percentile_cont's interpolation,
 * so both adapters report the same numbers.
 */
export function computeTaskFigures(
  tasks: Iterable<TaskView>,
  results: ReadonlyMap<string, TaskResultView>,
  since: Date,
): TaskFigures {
  const figures: TaskFigures = {
    byStatus: zeroByStatus(),
    inFlightByAgent: {},
    queuedByPriority: zeroByPriority(),
    finished: { succeeded: 0, cancelled: 0, dead_lettered: 0 },
    latencyMs: summarize([]),
    runTimeMs: summarize([]),
  };
  const latencies: number[] = [];
  const runTimes: number[] = [];
  const sinceMs = since.getTime();
  for (const task of tasks) {
    figures.byStatus[task.status] += 1;
    if ((task.status === 'dispatched' || task.status === 'running') && task.agentId !== undefined) {
      figures.inFlightByAgent[task.agentId] = (figures.inFlightByAgent[task.agentId] ?? 0) + 1;
    }
    if (task.status === 'queued') {
      figures.queuedByPriority[task.priority] = (figures.queuedByPriority[task.priority] ?? 0) + 1;
    }
    const finishedMs = task.finishedAt === undefined ? Number.NaN : Date.parse(task.finishedAt);
    if (!(finishedMs >= sinceMs)) continue;
    if (task.status === 'succeeded' || task.status === 'cancelled' || task.status === 'dead_lettered') {
      figures.finished[task.status] += 1;
    }
    if (task.status !== 'succeeded') continue;
    latencies.push(finishedMs - Date.parse(task.createdAt));
    const result = results.get(task.id);
    if (result) runTimes.push(result.durationMs);
  }
  figures.latencyMs = summarize(latencies);
  figures.runTimeMs = summarize(runTimes);
  return figures;
}

/** Count, PERCENTILES by linear interpolation between the closest ranks (percentile_cont), max. */
export function summarize(values: readonly number[]): DurationSummary {
  if (values.length === 0) return { count: 0, p50: null, p95: null, p99: null, max: null };
  const sorted = [...values].sort((a, b) => a - b);
  const [p50, p95, p99] = PERCENTILES.map((fraction) => percentileCont(sorted, fraction));
  return {
    count: sorted.length,
    p50: p50 ?? null,
    p95: p95 ?? null,
    p99: p99 ?? null,
    max: sorted[sorted.length - 1] ?? null,
  };
}

function percentileCont(sorted: readonly number[], fraction: number): number {
  const position = fraction * (sorted.length - 1);
  const lower = Math.floor(position);
  const below = sorted[lower] ?? 0;
  const above = sorted[Math.ceil(position)] ?? below;
  return below + (above - below) * (position - lower);
}
