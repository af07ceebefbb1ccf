import type { SerializedError, TaskResultView, TaskStatus, TaskView } from '@contextforge/contracts';
import type { TaskRecord } from '../domain/task-record';
import type { Task as TaskRow, TaskResult as TaskResultRow } from '../generated/prisma/client';

/**
 * Mapping from database rows (the generated Prisma models) to the contract's views: ISO strings
 * for timestamps, optional fields omitted when NULL.
 */

export function taskViewFromRow(row: TaskRow): TaskView {
  return {
    id: row.id,
    clientId: row.clientId,
    type: row.type,
    input: row.input,
    priority: row.priority,
    requiredCapabilities: row.requiredCapabilities,
    timeoutMs: row.timeoutMs,
    maxAttempts: row.maxAttempts,
    ...(row.idempotencyKey === null ? {} : { idempotencyKey: row.idempotencyKey }),
    ...(row.parentId === null ? {} : { parentId: row.parentId }),
    createdAt: row.createdAt.toISOString(),
    ...(row.traceparent === null ? {} : { traceparent: row.traceparent }),
    // The status column has a CHECK constraint listing TASK_STATUSES.
    status: row.status as TaskStatus,
    ...(row.statusReason === null ? {} : { statusReason: row.statusReason }),
    attempt: row.attempt,
    ...(row.agentId === null ? {} : { agentId: row.agentId }),
    ...(row.lastError === null ? {} : { lastError: row.lastError as unknown as SerializedError }),
    updatedAt: row.updatedAt.toISOString(),
    ...(row.finishedAt === null ? {} : { finishedAt: row.finishedAt.toISOString() }),
    eventSeq: row.eventSeq,
    ...(row.cachedFrom === null ? {} : { fromCache: true }),
    ...(row.failures === 0 ? {} : { failures: row.failures }),
    ...(row.notBefore === null ? {} : { notBefore: row.notBefore.toISOString() }),
  };
}

/** The row as the store's own record: the view plus the current attempt's claim. */
export function taskRecordFromRow(row: TaskRow): TaskRecord {
  return {
    ...taskViewFromRow(row),
    ...(row.claimToken === null ? {} : { claimToken: row.claimToken }),
    ...(row.claimedBy === null ? {} : { claimedBy: row.claimedBy }),
    ...(row.agentInstance === null ? {} : { agentInstance: row.agentInstance }),
    ...(row.leaseExpiresAt === null ? {} : { leaseExpiresAt: row.leaseExpiresAt.toISOString() }),
    ...(row.deadlineAt === null ? {} : { deadlineAt: row.deadlineAt.toISOString() }),
  };
}

export function resultViewFromRow(row: TaskResultRow): TaskResultView {
  return {
    taskId: row.taskId,
    attempt: row.attempt,
    agentId: row.agentId,
    output: row.output,
    durationMs: row.durationMs,
    createdAt: row.createdAt.toISOString(),
    ...(row.cachedFrom === null ? {} : { fromCache: true }),
  };
}

/** Columns of `tasks` under their model field names, for raw SELECTs mapped by taskViewFromRow. */
export const TASK_COLUMNS_SQL = `id, client_id AS "clientId", type, input, priority,
  required_capabilities AS "requiredCapabilities", timeout_ms AS "timeoutMs", max_attempts AS "maxAttempts",
  idempotency_key AS "idempotencyKey", parent_id AS "parentId", status, status_reason AS "statusReason",
  attempt, agent_id AS "agentId", last_error AS "lastError", created_at AS "createdAt",
  updated_at AS "updatedAt", finished_at AS "finishedAt", event_seq AS "eventSeq",
  cache_key AS "cacheKey", cached_from AS "cachedFrom", traceparent, claim_token AS "claimToken",
  claimed_by AS "claimedBy", agent_instance AS "agentInstance", lease_expires_at AS "leaseExpiresAt", deadline_at AS "deadlineAt",
  not_before AS "notBefore", failures`;
