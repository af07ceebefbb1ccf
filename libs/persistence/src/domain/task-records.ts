import { randomUUID } from 'node:crypto';
import {
  AppError,
  type CreateTaskOutcome,
  type CreateTaskResult,
  type Task,
  type TaskEvent,
  type TaskResultView,
  type TaskStreamEvent,
  type TaskView,
} from '@contextforge/contracts';
import { sameJson, toJsonValue } from './json';

/**
 * Rules both adapters share for new tasks. Timestamps are kept at millisecond precision, which is
 * what the database columns (timestamptz(3)) store.
 */

/** The stored form of a timestamp: ISO 8601, UTC, milliseconds. */
export function toStoredTimestamp(value: string | Date): string {
  const date = typeof value === 'string' ? new Date(value) : value;
  if (Number.isNaN(date.getTime())) {
    throw new AppError('VALIDATION_FAILED', `invalid timestamp: ${String(value)}`);
  }
  return date.toISOString();
}

/** The view of a task just accepted: queued, attempt 0, no agent, its creation event numbered 1. */
export function newTaskView(task: Task, now: Date): TaskView {
  return {
    id: task.id,
    clientId: task.clientId,
    type: task.type,
    input: toJsonValue(task.input),
    priority: task.priority,
    requiredCapabilities: [...task.requiredCapabilities],
    timeoutMs: task.timeoutMs,
    maxAttempts: task.maxAttempts,
    ...(task.idempotencyKey === undefined ? {} : { idempotencyKey: task.idempotencyKey }),
    ...(task.parentId === undefined ? {} : { parentId: task.parentId }),
    createdAt: toStoredTimestamp(task.createdAt),
    ...(task.traceparent === undefined ? {} : { traceparent: task.traceparent }),
    status: 'queued',
    attempt: 0,
    updatedAt: now.toISOString(),
    eventSeq: 1,
  };
}

/** The `queued` event (attempt 0) recorded in a task's history when it is created. */
export function creationEvent(view: TaskView): TaskEvent {
  return { type: 'queued', eventId: randomUUID(), taskId: view.id, attempt: 0, at: view.updatedAt };
}

/**
 * `createTask` met an existing task with the same id or the same (clientId, idempotencyKey).
 * The repeat is accepted (the existing task is returned) only if it asks for the same work;
 * otherwise the caller reused a key (or an id) for something else: IDEMPOTENCY_CONFLICT.
 */
export function assertSameSubmission(existing: TaskView, task: Task): void {
  const sameWork =
    existing.clientId === task.clientId &&
    existing.type === task.type &&
    sameJson(existing.input, toJsonValue(task.input));
  if (sameWork) return;
  const byKey = existing.id !== task.id;
  throw new AppError(
    'IDEMPOTENCY_CONFLICT',
    byKey
      ? `idempotency key ${task.idempotencyKey ?? ''} was used before for a different task`
      : `task id ${task.id} was used before for a different task`,
    { details: { taskId: existing.id, ...(byKey ? { idempotencyKey: task.idempotencyKey } : {}) } },
  );
}

/** A new task answered from the result cache: its final view, its two events and its result. */
export interface CachedCompletion {
  view: TaskView;
  created: TaskStreamEvent;
  completion: TaskStreamEvent;
  result: TaskResultView;
}

/**
 * The cache hit of `queued` (the new view): `queued` (seq 1) and `succeeded` (seq 2) in attempt 0,
 * the result a copy of `source` (its agent, output and duration; this task's id, attempt 0, now).
 * Both events are ordinary state-machine moves, so history, streams and the final state agree
 * with a task that ran, except that it was never dispatched.
 */
export function cachedCompletion(queued: TaskView, source: TaskResultView, now: Date): CachedCompletion {
  const at = now.toISOString();
  const created: TaskStreamEvent = { seq: 1, event: creationEvent({ ...queued, updatedAt: at }) };
  const completion: TaskStreamEvent = {
    seq: 2,
    event: {
      type: 'succeeded',
      eventId: randomUUID(),
      taskId: queued.id,
      attempt: 0,
      at,
      agentId: source.agentId,
      output: source.output,
      durationMs: source.durationMs,
    },
  };
  return {
    view: {
      ...queued,
      status: 'succeeded',
      agentId: source.agentId,
      updatedAt: at,
      finishedAt: at,
      eventSeq: 2,
      fromCache: true,
    },
    created,
    completion,
    result: {
      taskId: queued.id,
      attempt: 0,
      agentId: source.agentId,
      output: source.output,
      durationMs: source.durationMs,
      createdAt: at,
      fromCache: true,
    },
  };
}

/** A `createTasks` answer for an item that succeeded. */
export function okResult(outcome: CreateTaskOutcome): CreateTaskResult {
  return { ok: true, outcome };
}

/** A `createTasks` answer for an item that failed as `createTask` would have. */
export function errorResult(error: unknown): CreateTaskResult {
  return { ok: false, error };
}

/** A cache hit as its creation event left it: queued at attempt 0, before its completion. */
export function queuedStateOf(task: TaskView, created: TaskStreamEvent): TaskView {
  const { agentId: _agentId, finishedAt: _finishedAt, ...rest } = task;
  return { ...rest, status: 'queued', attempt: 0, updatedAt: created.event.at, eventSeq: created.seq };
}
