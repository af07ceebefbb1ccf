import {
  DEFAULT_INLINE_LIMIT_BYTES,
  applyTaskEvent,
  boundTaskChange,
  isFinalStatus,
  type EventOutcome,
  type StoredPayload,
  type TaskChangedMessage,
  type TaskEvent,
  type TaskResultView,
  type TaskState,
} from '@contextforge/contracts';
import { toJsonValue } from './json';
import { symbolsOfOutput, type IndexedSymbol } from './symbol-index';
import { publicView, type TaskRecord } from './task-record';

/** An event to store in a task's history, with what the state machine made of it. */
export interface RecordedEvent {
  event: TaskEvent;
  outcome: 'applied' | 'ignored';
  /** The event's number within its task, for applied events. */
  seq?: number;
  /** STALE_ATTEMPT, STALE_TOKEN, INVALID_TRANSITION or PAYLOAD_NOT_FOUND when ignored. */
  reason?: string;
}

/** What applying a batch means; each adapter writes it in its own way. */
export interface EventPlan {
  /** One per input event, in input order. */
  outcomes: EventOutcome[];
  /** The final state of every task the batch changed, once per task. */
  updates: TaskRecord[];
  /**
   * Every applied event with its number and the task as it left it, in order: what the outbox
   * announces on the task-changes topic, written in the same transaction; bounded by the inline
   * limit (boundTaskChange).
   */
  changes: TaskChangedMessage[];
  /** Events to store: applied and ignored ones (history), never duplicates or unknown-task ones. */
  records: RecordedEvent[];
  /** Results of applied `succeeded` events (at most one per task, see below). */
  results: TaskResultView[];
  /** The valid symbols of those results' outputs (symbol-index.ts), stored with them. */
  symbols: IndexedSymbol[];
}

/**
 * Runs a batch of events through the task state machine (applyTaskEvent) in order, starting from
 * `tasks` (the current state of every task the batch names; missing ones are unknown).
 *
 * - An event whose id is in `storedEventIds`, or appeared earlier in the batch, is a duplicate
 *   and changes nothing (not even history).
 * - An event for an unknown task is reported as unknown_task and not stored (its task may be
 *   created later; the bus redelivers or dead-letters it, which is the caller's policy).
 * - Ignored events are stored in history with the reason, but do not change the task.
 * - Applied events are numbered on from the task's eventSeq (task.eventSeq + 1, ...), so a task's
 *   numbers stay contiguous as long as `tasks` is read under the lock the writes are made under.
 * - An applied `succeeded` event yields the task's result (and the valid symbols of its output,
 *   see symbol-index.ts). `succeeded` is final and the state
 *   machine leaves a final status only for dead_lettered -> queued, so a task gets at most one.
 *   `resultTaskIds` names tasks that already have one, to hold that even for bad data.
 *
 * - A `succeeded` event with `outputRef` that would apply is applied with the content of that
 *   payload (from `payloads`) as its output, when the payload belongs to the event's task and
 *   attempt; otherwise it is ignored as PAYLOAD_NOT_FOUND (stored in history, changing nothing).
 *
 * Pure apart from reading `now`, so the memory and SQL adapters agree by construction.
 */
export function planEvents(
  events: readonly TaskEvent[],
  tasks: ReadonlyMap<string, TaskRecord>,
  storedEventIds: ReadonlySet<string>,
  now: Date,
  options: PlanOptions = {},
): EventPlan {
  const { payloads = new Map(), inlineLimitBytes = DEFAULT_INLINE_LIMIT_BYTES } = options;
  const current = new Map(tasks);
  const seen = new Set<string>();
  const changed = new Set<string>();
  const withResult = new Set(options.resultTaskIds);
  const plan: EventPlan = {
    outcomes: [],
    updates: [],
    changes: [],
    records: [],
    results: [],
    symbols: [],
  };
  const nowIso = now.toISOString();

  for (const event of events) {
    const { eventId, taskId } = event;
    if (storedEventIds.has(eventId) || seen.has(eventId)) {
      plan.outcomes.push({ eventId, taskId, outcome: 'duplicate' });
      continue;
    }
    const task = current.get(taskId);
    if (!task) {
      plan.outcomes.push({ eventId, taskId, outcome: 'unknown_task', reason: 'TASK_NOT_FOUND' });
      continue;
    }
    seen.add(eventId);
    const transition = applyTaskEvent(stateOf(task), event);
    const resolved = event.type === 'succeeded' ? outputOf(event, payloads) : undefined;
    const reason =
      transition.kind === 'ignored'
        ? transition.reason
        : event.type === 'succeeded' && resolved === undefined
          ? 'PAYLOAD_NOT_FOUND'
          : undefined;
    if (transition.kind === 'ignored' || reason !== undefined) {
      plan.records.push({ event, outcome: 'ignored', reason });
      plan.outcomes.push({ eventId, taskId, outcome: 'ignored', reason });
      continue;
    }
    const seq = task.eventSeq + 1;
    const next = { ...withState(task, transition.next, nowIso), eventSeq: seq };
    current.set(taskId, next);
    changed.add(taskId);
    plan.records.push({ event, outcome: 'applied', seq });
    const view = publicView(next);
    plan.outcomes.push({ eventId, taskId, outcome: 'applied', task: view, seq });
    plan.changes.push(boundTaskChange({ seq, event, task: view }, inlineLimitBytes));
    if (event.type === 'succeeded' && resolved && !withResult.has(taskId)) {
      withResult.add(taskId);
      const output = toJsonValue(resolved.output);
      plan.results.push({
        taskId,
        attempt: event.attempt,
        agentId: event.agentId,
        output,
        durationMs: Math.round(event.durationMs),
        createdAt: nowIso,
      });
      plan.symbols.push(...symbolsOfOutput(taskId, task.clientId, output));
    }
  }
  for (const taskId of changed) {
    const task = current.get(taskId);
    if (task) plan.updates.push(task);
  }
  return plan;
}

export interface PlanOptions {
  /** Tasks that already have a result (see planEvents). */
  resultTaskIds?: ReadonlySet<string>;
  /** The stored payloads the batch's outputRefs name (referencedPayloadIds); missing ones are unknown. */
  payloads?: ReadonlyMap<string, StoredPayload>;
  /** The bound of `changes` (default DEFAULT_INLINE_LIMIT_BYTES). */
  inlineLimitBytes?: number;
}

/** The payload ids the `succeeded` events of a batch refer to (what planEvents needs loaded). */
export function referencedPayloadIds(events: readonly TaskEvent[]): string[] {
  const ids = new Set<string>();
  for (const event of events) {
    if (event.type === 'succeeded' && event.outputRef !== undefined) ids.add(event.outputRef);
  }
  return [...ids];
}

/** The output of a `succeeded` event: inline, or its payload's content; undefined for a bad ref. */
function outputOf(
  event: Extract<TaskEvent, { type: 'succeeded' }>,
  payloads: ReadonlyMap<string, StoredPayload>,
): { output: unknown } | undefined {
  if (event.outputRef === undefined) return { output: event.output };
  const payload = payloads.get(event.outputRef);
  if (payload?.taskId !== event.taskId || payload.attempt !== event.attempt) return undefined;
  return { output: payload.content };
}

/** The part of a record the state machine reads. */
export function stateOf(task: TaskRecord): TaskState {
  return {
    status: task.status,
    attempt: task.attempt,
    agentId: task.agentId,
    statusReason: task.statusReason,
    lastError: task.lastError,
    token: task.claimToken,
    failures: task.failures,
    notBefore: task.notBefore,
  };
}

/** The task with the state machine's new state; finishedAt is set on entering a final status. */
function withState(task: TaskRecord, state: TaskState, nowIso: string): TaskRecord {
  const {
    agentId: _agentId,
    statusReason: _statusReason,
    lastError: _lastError,
    finishedAt: _finishedAt,
    claimToken: _claimToken,
    notBefore: _notBefore,
    ...rest
  } = task;
  // Final statuses are only entered from non-final ones, and left only by a re-drive (queued).
  const finishedAt = isFinalStatus(state.status) ? nowIso : undefined;
  return {
    ...rest,
    status: state.status,
    attempt: state.attempt,
    ...(state.agentId === undefined ? {} : { agentId: state.agentId }),
    ...(state.statusReason === undefined ? {} : { statusReason: state.statusReason }),
    ...(state.lastError === undefined
      ? {}
      : { lastError: toJsonValue(state.lastError) as TaskRecord['lastError'] }),
    ...(state.token === undefined ? {} : { claimToken: state.token }),
    ...(state.failures ? { failures: state.failures } : {}),
    ...(state.notBefore === undefined ? {} : { notBefore: state.notBefore }),
    updatedAt: nowIso,
    ...(finishedAt === undefined ? {} : { finishedAt }),
  };
}
