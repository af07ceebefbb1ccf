import type { DurationSummary, TaskFigures, TaskStatus } from '@contextforge/contracts';
import { PERCENTILES, zeroByPriority, zeroByStatus } from '../domain/task-figures';
import type { PrismaClient } from '../generated/prisma/client';
import type { PrismaNamespace, Tables } from './write-sql';

interface StatusRow {
  status: string;
  agent_id: string | null;
  priority: number | null;
  count: number;
}

interface WindowRow {
  succeeded: number;
  cancelled: number;
  dead_lettered: number;
  latency_count: number;
  latency_percentiles: number[] | null;
  latency_max: number | null;
  run_count: number;
  run_percentiles: number[] | null;
  run_max: number | null;
}

/**
 * TaskFigures in two statements: counts by status (and agent, for in-flight tasks, and
 * priority, for queued ones), then one pass
 * over the tasks finished since `since` (tasks_finished_at_idx) with percentile_cont for the
 * percentiles. domain/task-figures.ts computes the same in memory.
 */
export async function readTaskFigures(
  prisma: PrismaClient,
  lib: PrismaNamespace,
  tables: Tables,
  since: Date,
): Promise<TaskFigures> {
  const fractions = [...PERCENTILES];
  const [statusRows, windowRows] = await Promise.all([
    prisma.$queryRaw<StatusRow[]>(lib.sql`
      SELECT status, CASE WHEN status IN ('dispatched', 'running') THEN agent_id END AS agent_id,
        CASE WHEN status = 'queued' THEN priority END AS priority, count(*)::int AS count
      FROM ${tables.tasks} GROUP BY 1, 2, 3`),
    prisma.$queryRaw<WindowRow[]>(lib.sql`
      SELECT
        count(*) FILTER (WHERE t.status = 'succeeded')::int AS succeeded,
        count(*) FILTER (WHERE t.status = 'cancelled')::int AS cancelled,
        count(*) FILTER (WHERE t.status = 'dead_lettered')::int AS dead_lettered,
        count(*) FILTER (WHERE t.status = 'succeeded')::int AS latency_count,
        percentile_cont(${fractions}::float8[]) WITHIN GROUP (ORDER BY l.ms)
          FILTER (WHERE t.status = 'succeeded') AS latency_percentiles,
        max(l.ms) FILTER (WHERE t.status = 'succeeded') AS latency_max,
        count(r.duration_ms) FILTER (WHERE t.status = 'succeeded')::int AS run_count,
        percentile_cont(${fractions}::float8[]) WITHIN GROUP (ORDER BY r.duration_ms::float8)
          FILTER (WHERE t.status = 'succeeded') AS run_percentiles,
        max(r.duration_ms::float8) FILTER (WHERE t.status = 'succeeded') AS run_max
      FROM ${tables.tasks} AS t
      LEFT JOIN ${tables.taskResults} AS r ON r.task_id = t.id
      CROSS JOIN LATERAL (
        SELECT (extract(epoch FROM t.finished_at - t.created_at) * 1000)::float8 AS ms
      ) AS l
      WHERE t.finished_at >= ${since.toISOString()}::timestamptz
        AND t.status IN ('succeeded', 'cancelled', 'dead_lettered')`),
  ]);

  const byStatus = zeroByStatus();
  const inFlightByAgent: Record<string, number> = {};
  const queuedByPriority = zeroByPriority();
  for (const row of statusRows) {
    // tasks.status has a CHECK constraint listing TASK_STATUSES.
    byStatus[row.status as TaskStatus] += row.count;
    if (row.agent_id !== null) {
      inFlightByAgent[row.agent_id] = (inFlightByAgent[row.agent_id] ?? 0) + row.count;
    }
    if (row.priority !== null) {
      queuedByPriority[row.priority] = (queuedByPriority[row.priority] ?? 0) + row.count;
    }
  }
  const window = windowRows[0];
  return {
    byStatus,
    inFlightByAgent,
    queuedByPriority,
    finished: {
      succeeded: window?.succeeded ?? 0,
      cancelled: window?.cancelled ?? 0,
      dead_lettered: window?.dead_lettered ?? 0,
    },
    latencyMs: summary(window?.latency_count, window?.latency_percentiles, window?.latency_max),
    runTimeMs: summary(window?.run_count, window?.run_percentiles, window?.run_max),
  };
}

function summary(
  count: number | undefined,
  percentiles: readonly number[] | null | undefined,
  max: number | null | undefined,
): DurationSummary {
  if (!count) return { count: 0, p50: null, p95: null, p99: null, max: null };
  const [p50, p95, p99] = (percentiles ?? []).map(Number);
  return {
    count,
    p50: p50 ?? null,
    p95: p95 ?? null,
    p99: p99 ?? null,
    max: max == null ? null : Number(max),
  };
}
