import type { EventOutcome, TaskEvent } from '@contextforge/contracts';
import { planEvents, referencedPayloadIds, type EventPlan } from '../domain/plan-events';
import type { TaskRecord } from '../domain/task-record';
import type { Prisma, Task as TaskRow } from '../generated/prisma/client';
import { loadPayloadsSql } from './payload-sql';
import { TASK_COLUMNS_SQL, taskRecordFromRow } from './task-rows';
import { writePlanSql, type PrismaNamespace, type Tables } from './write-sql';

/** What the batch statements run in: one transaction, the client's namespace, the tables. */
export interface BatchContext {
  tx: Prisma.TransactionClient;
  lib: PrismaNamespace;
  tables: Tables;
  /** The bound of the outbox messages written (boundTaskChange). */
  inlineLimitBytes: number;
}

/**
 * The result-store's hot path: one batch of events in one transaction of three statements,
 * whatever the batch size: lock and load the tasks, find the already stored event ids (and, only
 * when `succeeded` events name payloads by outputRef, a fourth: load those payloads), then one
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
  context: BatchContext,
  events: readonly TaskEvent[],
): Promise<EventOutcome[]> {
  const { tx, lib, tables } = context;
  const taskIds = [...new Set(events.map((event) => event.taskId))];
  const rows = await tx.$queryRaw<TaskRow[]>(
    lib.sql`SELECT ${lib.raw(TASK_COLUMNS_SQL)} FROM ${tables.tasks}
      WHERE id = ANY(${taskIds}::text[]) ORDER BY id FOR UPDATE`,
  );
  const tasks = new Map<string, TaskRecord>(rows.map((row) => [row.id, taskRecordFromRow(row)]));
  const plan = await applyToLocked(context, events, tasks, new Date(), { freshEventIds: false });
  return plan.outcomes;
}

export interface ApplyOptions {
  /**
   * The events were made by the caller just now (random ids: a claim's, a sweep's), so none can be
   * stored already and the lookup of stored ids is skipped. False for events from outside.
   */
  freshEventIds: boolean;
  /** Adjusts each changed record before it is written (a claim's lease and deadline). */
  patch?: (record: TaskRecord) => TaskRecord;
}

/**
 * The second half of applyEventBatch, for callers that locked the tasks themselves (the queue's
 * claims and sweeps): reads the stored event ids (unless fresh), plans, and writes the plan.
 */
export async function applyToLocked(
  context: BatchContext,
  events: readonly TaskEvent[],
  tasks: ReadonlyMap<string, TaskRecord>,
  now: Date,
  options: ApplyOptions = { freshEventIds: true },
): Promise<EventPlan> {
  const { tx, lib, tables, inlineLimitBytes } = context;
  const { patch } = options;
  if (events.length === 0) return planEvents([], tasks, new Set(), now);
  const eventIds = [...new Set(events.map((event) => event.eventId))];
  const stored = options.freshEventIds
    ? []
    : await tx.$queryRaw<Array<{ id: string }>>(
        lib.sql`SELECT id FROM ${tables.taskEvents} WHERE id = ANY(${eventIds}::text[])`,
      );
  const payloads = await loadPayloadsSql(tx, lib, tables, referencedPayloadIds(events));
  const plan = planEvents(events, tasks, new Set(stored.map((row) => row.id)), now, {
    payloads,
    inlineLimitBytes,
  });
  if (patch) plan.updates = plan.updates.map(patch);
  if (plan.records.length > 0) await tx.$executeRaw(writePlanSql(lib, tables, plan, now));
  return plan;
}
