import {
  TASK_PRIORITY_MAX,
  type AttemptRef,
  type ClaimOutcome,
  type ClaimRequest,
  type FailedAttempt,
  type LiveAgent,
  type QueueAgent,
  type QueueFigures,
  type RetryDecision,
  type SerializedError,
  type TaskChangedMessage,
  type TaskView,
} from '@contextforge/contracts';
import {
  decisionEvent,
  expiryOf,
  failureOf,
  freeSlots,
  isOrphan,
  orphanError,
  planClaim,
  releaseEvent,
  sweepFailure,
  unrunnableEvent,
  withClaim,
} from '../domain/queue-plan';
import { publicView, type TaskRecord } from '../domain/task-record';
import type { Prisma, PrismaClient, Task as TaskRow } from '../generated/prisma/client';
import { applyToLocked, type BatchContext } from './apply-event-batch';
import { TASK_COLUMNS_SQL, taskRecordFromRow } from './task-rows';
import type { PrismaNamespace, Tables } from './write-sql';

/**
 * The queue's statements (libs/contracts/src/ports/task-queue.ts), each run inside one
 * transaction by PrismaTaskRepository. Time is the database's (`now()` of the transaction), so
 * every replica judges leases, deadlines and retry times on one clock.
 *
 * Claims take a transaction-level advisory lock (one per schema) before they count open attempts:
 * claims are serialized, so the count is exact and no agent gets more than its concurrency, while
 * everything else (events, sweeps, other claims' dispatch calls) runs concurrently. The queued rows
 * themselves are taken with FOR UPDATE SKIP LOCKED, so a task whose row another writer holds (a
 * cancel) is passed over, never waited for. Sweeps take their rows with SKIP LOCKED too: any number
 * of replicas may sweep at once and each task is decided by one of them.
 */
export interface QueueSql extends BatchContext {
  /** The schema name, which scopes the advisory locks. */
  schema: string;
}

const OPEN_STATUSES = ['dispatched', 'running'];

export async function claimSql(q: QueueSql, request: ClaimRequest): Promise<ClaimOutcome> {
  const { tx, lib, tables } = q;
  const [{ now } = { now: new Date() }] = await tx.$queryRaw<Array<{ now: Date }>>(
    lib.sql`SELECT now() AS now, pg_advisory_xact_lock(hashtext(${`${q.schema}:queue-claim`}))::text AS locked`,
  );
  // After the lock, in a statement of its own (its snapshot must see the previous claim's commit):
  // the open attempts per agent, and the earliest retry time still ahead.
  const agentIds = request.agents.map((agent) => agent.id);
  const [figures] = await tx.$queryRaw<
    Array<{ open: Record<string, number> | null; nextRetry: Date | null }>
  >(
    lib.sql`SELECT
      (SELECT jsonb_object_agg(agent_id, n) FROM (SELECT agent_id, count(*)::int AS n FROM ${tables.tasks}
        WHERE agent_id = ANY(${agentIds}::text[]) AND status = ANY(${OPEN_STATUSES}::text[])
        GROUP BY agent_id) AS c) AS open,
      (SELECT min(not_before) FROM ${tables.tasks}
        WHERE status = 'queued' AND not_before > ${now}::timestamptz) AS "nextRetry"`,
  );
  const inFlight = new Map(Object.entries(figures?.open ?? {}));
  const limit = Math.min(request.limit, freeSlots(request, inFlight));
  const nextRetryAt = figures?.nextRetry ?? undefined;
  if (limit <= 0) return nextRetryAt ? { claimed: [], nextRetryAt } : { claimed: [] };
  const free = request.agents.filter((agent) => (inFlight.get(agent.id) ?? 0) < agent.concurrency);
  // What the free agents can run, as (types, capabilities) profiles: only tasks one of them runs
  // are read, so a queue head that no free agent runs does not hide runnable tasks behind it.
  const profiles = profilesJson(free);
  const rows = await tx.$queryRaw<TaskRow[]>(
    lib.sql`SELECT ${lib.raw(TASK_COLUMNS_SQL)} FROM ${tables.tasks} AS t
      WHERE t.status = 'queued' AND (t.not_before IS NULL OR t.not_before <= ${now}::timestamptz)
        AND EXISTS (SELECT 1 FROM jsonb_array_elements(${profiles}::jsonb) AS p
          WHERE (p->'types') @> to_jsonb(t.type) AND (p->'caps') @> to_jsonb(t.required_capabilities))
      ORDER BY t.priority DESC, t.created_at, t.seq
      LIMIT ${limit}::int
      FOR UPDATE SKIP LOCKED`,
  );
  const records = rows.map(taskRecordFromRow);
  const planned = planClaim(records, { ...request, limit }, inFlight, now);
  const plan = await applyToLocked(
    q,
    planned.map((claim) => claim.event),
    new Map(records.map((record) => [record.id, record])),
    now,
    { freshEventIds: true, patch: (record) => withClaim(record, request, now) },
  );
  const claimed = planned.flatMap((claim, index) => {
    const task = plan.outcomes[index]?.task;
    return task ? [{ task, agentId: claim.agentId, attempt: task.attempt, token: claim.token }] : [];
  });
  return nextRetryAt ? { claimed, nextRetryAt } : { claimed };
}

export async function releaseSql(
  q: QueueSql,
  taskId: string,
  attempt: number,
  token: string,
  reason: string,
): Promise<boolean> {
  const { now, records } = await lockTasks(q, q.lib.sql`id = ${taskId}`, 1, false);
  const plan = await applyToLocked(q, [releaseEvent(taskId, attempt, token, reason, now)], records, now);
  return plan.outcomes[0]?.outcome === 'applied';
}

/** One statement, no lock but the rows': a confirmed attempt keeps only its deadline. */
export async function confirmDispatchedSql(
  db: Pick<PrismaClient, '$executeRaw'>,
  lib: PrismaNamespace,
  tables: Tables,
  attempts: readonly AttemptRef[],
): Promise<number> {
  return db.$executeRaw(
    lib.sql`UPDATE ${tables.tasks} AS t SET lease_expires_at = NULL
      FROM unnest(${attempts.map((a) => a.taskId)}::text[], ${attempts.map((a) => a.attempt)}::int[],
        ${attempts.map((a) => a.token)}::text[]) AS c(id, attempt, token)
      WHERE t.id = c.id AND t.attempt = c.attempt AND t.claim_token = c.token
        AND t.status = 'dispatched' AND t.lease_expires_at IS NOT NULL`,
  );
}

export async function expireSql(q: QueueSql, limit: number): Promise<FailedAttempt[]> {
  const { sql } = q.lib;
  const { now, records } = await lockTasks(
    q,
    sql`status = ANY(${OPEN_STATUSES}::text[]) AND (deadline_at <= now()
      OR (status = 'dispatched' AND lease_expires_at <= now()))`,
    limit,
    true,
  );
  const found = [...records.values()].flatMap((record) => {
    const error = expiryOf(record, now);
    return error ? [{ record, error }] : [];
  });
  return failOpen(q, found, records, now);
}

export async function failAttemptsOnSql(
  q: QueueSql,
  agentIds: readonly string[],
  error: SerializedError,
): Promise<FailedAttempt[]> {
  const { sql } = q.lib;
  const { now, records } = await lockTasks(
    q,
    sql`agent_id = ANY(${[...agentIds]}::text[]) AND status = ANY(${OPEN_STATUSES}::text[])`,
    10_000,
    false,
  );
  return failOpen(
    q,
    [...records.values()].map((record) => ({ record, error })),
    records,
    now,
  );
}

export async function failOrphansSql(
  q: QueueSql,
  live: readonly LiveAgent[],
  olderThanMs: number,
): Promise<FailedAttempt[]> {
  const { sql } = q.lib;
  // Stale open attempts are few (bounded by the fleet's slots); which are orphans is decided here.
  const { now, records } = await lockTasks(
    q,
    sql`status = ANY(${OPEN_STATUSES}::text[])
      AND updated_at <= now() - make_interval(secs => ${olderThanMs / 1000}::float8)`,
    1_000,
    true,
  );
  const orphans = [...records.values()].filter((record) => isOrphan(record, live));
  return failOpen(
    q,
    orphans.map((record) => ({ record, error: orphanError(record) })),
    records,
    now,
  );
}

export async function settleFailuresSql(
  q: QueueSql,
  decide: (task: TaskView, error: SerializedError) => RetryDecision,
  limit: number,
): Promise<TaskView[]> {
  const { now, records } = await lockTasks(q, q.lib.sql`status = 'failed'`, limit, true);
  const events = [...records.values()].map((record) =>
    decisionEvent(record, decide(publicView(record), failureOf(record)), now),
  );
  const plan = await applyToLocked(q, events, records, now);
  return plan.outcomes.flatMap((outcome) => (outcome.task ? [outcome.task] : []));
}

/**
 * One relay at a time per schema (a try-lock: a second relay returns -1 at once), so changes go
 * out in commit order; the rows are deleted in the same transaction once `publish` resolved.
 */
export async function relayOutboxSql(
  q: QueueSql,
  publish: (changes: TaskChangedMessage[]) => Promise<void>,
  limit: number,
): Promise<number> {
  const { tx, lib, tables } = q;
  const [lock] = await tx.$queryRaw<Array<{ locked: boolean }>>(
    lib.sql`SELECT pg_try_advisory_xact_lock(hashtext(${`${q.schema}:outbox-relay`})) AS locked`,
  );
  if (!lock?.locked) return -1;
  // Taken and deleted in one statement, published before the commit: a failed publish rolls the
  // delete back. Exactly the rows read (never an id range, which would also take a row with a
  // lower id whose transaction committed after the read, unpublished).
  const rows = await tx.$queryRaw<Array<{ id: bigint; message: TaskChangedMessage }>>(
    lib.sql`DELETE FROM ${tables.outbox} WHERE id IN (SELECT id FROM ${tables.outbox} ORDER BY id LIMIT ${limit}::int)
      RETURNING id, message`,
  );
  if (rows.length === 0) return 0;
  rows.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  await publish(rows.map((row) => row.message));
  return rows.length;
}

export async function markUnrunnableSql(
  q: QueueSql,
  agents: ReadonlyArray<Pick<QueueAgent, 'taskTypes' | 'capabilities'>>,
  limit: number,
): Promise<TaskView[]> {
  const profiles = profilesJson(agents);
  const { now, records } = await lockTasks(
    q,
    q.lib.sql`status = 'queued' AND status_reason IS NULL
      AND NOT EXISTS (SELECT 1 FROM jsonb_array_elements(${profiles}::jsonb) AS p
        WHERE (p->'types') @> to_jsonb(type) AND (p->'caps') @> to_jsonb(required_capabilities))`,
    limit,
    true,
  );
  const events = [...records.values()].map((record) => unrunnableEvent(record, now));
  const plan = await applyToLocked(q, events, records, now);
  return plan.outcomes.flatMap((outcome) => (outcome.task ? [outcome.task] : []));
}

/** The two GROUP BYs behind the scheduler's gauges (the status index serves both). */
export async function queueFiguresSql(
  prisma: PrismaClient,
  lib: PrismaNamespace,
  tables: Tables,
): Promise<QueueFigures> {
  const [queued, open] = await Promise.all([
    prisma.$queryRaw<Array<{ priority: number; n: number }>>(
      lib.sql`SELECT priority, count(*)::int AS n FROM ${tables.tasks} WHERE status = 'queued' GROUP BY priority`,
    ),
    prisma.$queryRaw<Array<{ agentId: string; n: number }>>(
      lib.sql`SELECT agent_id AS "agentId", count(*)::int AS n FROM ${tables.tasks}
        WHERE status = ANY(${OPEN_STATUSES}::text[]) AND agent_id IS NOT NULL GROUP BY agent_id`,
    ),
  ]);
  const queuedByPriority = Array.from({ length: TASK_PRIORITY_MAX + 1 }, () => 0);
  for (const row of queued) {
    if (row.priority >= 0 && row.priority <= TASK_PRIORITY_MAX) queuedByPriority[row.priority] = row.n;
  }
  return {
    queuedByPriority,
    inFlightByAgent: Object.fromEntries(open.map((row) => [row.agentId, row.n])),
  };
}

/** Locks the tasks `where` names (id order; SKIP LOCKED for sweeps) and reads them as records. */
async function lockTasks(
  q: QueueSql,
  where: Prisma.Sql,
  limit: number,
  skipLocked: boolean,
): Promise<{ now: Date; records: Map<string, TaskRecord> }> {
  const { tx, lib, tables } = q;
  const [{ now } = { now: new Date() }] = await tx.$queryRaw<Array<{ now: Date }>>(
    lib.sql`SELECT now() AS now`,
  );
  const rows = await tx.$queryRaw<TaskRow[]>(
    lib.sql`SELECT ${lib.raw(TASK_COLUMNS_SQL)} FROM ${tables.tasks} WHERE ${where}
      ORDER BY id LIMIT ${limit}::int FOR UPDATE ${lib.raw(skipLocked ? 'SKIP LOCKED' : '')}`,
  );
  return { now, records: new Map(rows.map((row) => [row.id, taskRecordFromRow(row)])) };
}

async function failOpen(
  q: QueueSql,
  found: ReadonlyArray<{ record: TaskRecord; error: SerializedError }>,
  records: ReadonlyMap<string, TaskRecord>,
  now: Date,
): Promise<FailedAttempt[]> {
  const plan = await applyToLocked(
    q,
    found.map(({ record, error }) => sweepFailure(record, error, now)),
    records,
    now,
  );
  return found.flatMap(({ record }, index) => {
    const task = plan.outcomes[index]?.task;
    return task
      ? [{ task, attempt: record.attempt, ...(record.agentId ? { agentId: record.agentId } : {}) }]
      : [];
  });
}

/** Distinct (types, capabilities) of `agents` as the JSON the queue statements match tasks with. */
function profilesJson(agents: ReadonlyArray<Pick<QueueAgent, 'taskTypes' | 'capabilities'>>): string {
  const distinct = new Map(
    agents.map((agent) => [
      JSON.stringify([[...agent.taskTypes].sort(), [...agent.capabilities].sort()]),
      { types: agent.taskTypes, caps: agent.capabilities },
    ]),
  );
  return JSON.stringify([...distinct.values()]);
}
