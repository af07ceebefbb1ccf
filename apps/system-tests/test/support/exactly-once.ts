import { FINAL_TASK_STATUSES } from '@contextforge/contracts';
import type { Pool } from 'pg';
import { describeHistory, statusCounts, taskEvents } from './task-db';

/**
 * The exactly-once checks every fault test ends with, for a run whose tasks should all succeed:
 * - every task is `succeeded` and none of them is left in a non-final status;
 * - exactly one task_results row per task (none lost, none extra);
 * - exactly one *applied* `succeeded` event per task: later successes (of a superseded or
 *   duplicated attempt) were recorded as ignored, not applied a second time;
 * - no (task, attempt) was dispatched twice (two schedulers, or one handing out an attempt twice).
 * Returns the figures for the test's report line.
 */
export async function expectEachSucceededOnce(
  db: Pool,
  taskIds: readonly string[],
): Promise<{ retried: number; ignoredEvents: number }> {
  const count = taskIds.length;
  expect(new Set(taskIds).size).toBe(count);
  expect(Object.fromEntries(await statusCounts(db, taskIds))).toEqual({ succeeded: count });
  const open = await db.query<{ count: string }>(
    'SELECT count(*) FROM tasks WHERE id = ANY($1) AND status <> ALL($2)',
    [taskIds, [...FINAL_TASK_STATUSES]],
  );
  expect(open.rows[0]?.count).toBe('0');

  const results = await db.query<{ rows: string; tasks: string }>(
    'SELECT count(*) AS rows, count(DISTINCT task_id) AS tasks FROM task_results WHERE task_id = ANY($1)',
    [taskIds],
  );
  expect(results.rows[0]).toEqual({ rows: String(count), tasks: String(count) });

  const successes = await db.query<{ task_id: string; applied: string }>(
    `SELECT task_id, count(*) FILTER (WHERE outcome = 'applied') AS applied FROM task_events
      WHERE task_id = ANY($1) AND type = 'succeeded' GROUP BY task_id`,
    [taskIds],
  );
  expect(successes.rows.length).toBe(count);
  expect(successes.rows.filter((row) => row.applied !== '1')).toEqual([]);

  const doubled = await db.query<{ task_id: string; attempt: number; dispatches: string }>(
    `SELECT task_id, attempt, count(*) AS dispatches FROM task_events
      WHERE task_id = ANY($1) AND type = 'dispatched' GROUP BY task_id, attempt HAVING count(*) > 1`,
    [taskIds],
  );
  const example = doubled.rows[0];
  if (example) {
    const history = describeHistory(await taskEvents(db, [example.task_id]), example.task_id);
    throw new Error(
      `${doubled.rows.length} attempts were dispatched more than once; task ${example.task_id}:\n  ${history}`,
    );
  }

  const figures = await db.query<{ retried: string; ignored: string }>(
    `SELECT (SELECT count(*) FROM tasks WHERE id = ANY($1) AND attempt > 1) AS retried,
            (SELECT count(*) FROM task_events WHERE task_id = ANY($1) AND outcome = 'ignored') AS ignored`,
    [taskIds],
  );
  return { retried: Number(figures.rows[0]?.retried), ignoredEvents: Number(figures.rows[0]?.ignored) };
}
