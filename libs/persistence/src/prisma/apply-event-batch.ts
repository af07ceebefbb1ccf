import type { EventOutcome, TaskEvent, TaskView } from '@contextforge/contracts';
import { planEvents } from '../domain/plan-events';
import type { Prisma, Task as TaskRow } from '../generated/prisma/client';
import { TASK_COLUMNS_SQL, taskViewFromRow } from './task-rows';
import { writePlanSql, type PrismaNamespace, type Tables } from './write-sql';

/**
 * The result-store's hot path: one batch of events in one transaction of three statements,
 * whatever the batch size: lock and load the tasks, find the already stored event ids, then one
 * statement that updates every changed task and inserts every event and result (writePlanSql:
 * rows go as parallel arrays through unnest, so neither the SQL text nor its parameter count
 * grows with the batch).
 *
 * Concurrency: pessimistic row locks, not an optimistic version column. Two replicas can hold
 * events of the same task at once (a consumer-group rebalance hands a partition over while the
 * old owner is mid-batch; redeliveries). `SELECT ... FOR UPDATE` makes the second batch wait for
 * the first to commit and then read the task as committed, so no update is lost and nothing has
 * to be retried. An optimistic `version` check would instead fail the whole batch on one
 * conflicting row and re-run it (all of it, since the statements are batched), which is wasteful
 * exactly when it happens: under contention. Rows are locked in id order, so two batches naming
 * overlapping tasks cannot deadlock; locks are held only for the batch's few statements.
 *
 * The stored-event lookup must be a separate statement AFTER the lock: under READ COMMITTED each
 * statement sees what was committed when it started, so only then does it see the events the
 * other batch stored (and this one must skip as duplicates). The contract suite's concurrency
 * tests fail if either the lock or this ordering is removed.
 */
export async function applyEventBatch(
  tx: Prisma.TransactionClient,
  prisma: PrismaNamespace,
  tables: Tables,
  events: readonly TaskEvent[],
): Promise<EventOutcome[]> {
  const taskIds = [...new Set(events.map((event) => event.taskId))];
  const eventIds = [...new Set(events.map((event) => event.eventId))];
  const rows = await tx.$queryRaw<TaskRow[]>(
    prisma.sql`SELECT ${prisma.raw(TASK_COLUMNS_SQL)} FROM ${tables.tasks}
      WHERE id = ANY(${taskIds}::text[]) ORDER BY id FOR UPDATE`,
  );
  const stored = await tx.$queryRaw<Array<{ id: string }>>(
    prisma.sql`SELECT id FROM ${tables.taskEvents} WHERE id = ANY(${eventIds}::text[])`,
  );
  const tasks = new Map<string, TaskView>(rows.map((row) => [row.id, taskViewFromRow(row)]));
  const now = new Date();
  const plan = planEvents(events, tasks, new Set(stored.map((row) => row.id)), now);
  if (plan.records.length > 0) await tx.$executeRaw(writePlanSql(prisma, tables, plan, now));
  return plan.outcomes;
}
