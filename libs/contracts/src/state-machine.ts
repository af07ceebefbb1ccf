import type { SerializedError } from './errors';
import type { TaskEvent } from './events';
import { isFinalStatus, type TaskStatus } from './task';

/** The part of a task the state machine reads and writes. */
export interface TaskState {
  status: TaskStatus;
  attempt: number;
  agentId?: string | undefined;
  statusReason?: string | undefined;
  lastError?: SerializedError | undefined;
  /**
   * The fencing token of the current attempt, set by its `dispatched` event (the claim). Every
   * later event of that attempt must carry it, except `cancelled` (the platform's own decision).
   */
  token?: string | undefined;
  /** Failed attempts that count against maxAttempts (set by the scheduler's retry decisions). */
  failures?: number | undefined;
  /** A queued task waits until then (a retry's backoff). */
  notBefore?: string | undefined;
}

export type TransitionOutcome =
  | { kind: 'applied'; next: TaskState }
  | { kind: 'ignored'; reason: 'STALE_ATTEMPT' | 'STALE_TOKEN' | 'INVALID_TRANSITION'; detail: string };

const STATUS_OF_EVENT: Record<TaskEvent['type'], TaskStatus> = {
  queued: 'queued',
  dispatched: 'dispatched',
  started: 'running',
  progress: 'running',
  succeeded: 'succeeded',
  failed: 'failed',
  cancelled: 'cancelled',
  dead_lettered: 'dead_lettered',
};

/** Moves allowed within one attempt. Final statuses allow nothing (re-drive starts a new attempt). */
const SAME_ATTEMPT: Record<TaskStatus, ReadonlySet<TaskStatus>> = {
  // queued, never claimed (no token): anything its first reporter sends (see HANDED_BACK for a
  // queued task whose attempt was claimed).
  queued: new Set(['queued', 'dispatched', 'running', 'failed', 'succeeded', 'cancelled', 'dead_lettered']),
  // dispatched -> queued: the agent refused the dispatch (at capacity, unreachable); it waits again.
  dispatched: new Set(['queued', 'running', 'failed', 'succeeded', 'cancelled', 'dead_lettered']),
  running: new Set(['running', 'failed', 'succeeded', 'cancelled', 'dead_lettered']),
  // failed -> queued: waiting for a retry; failed -> succeeded: the attempt finished after all.
  failed: new Set(['queued', 'failed', 'succeeded', 'cancelled', 'dead_lettered']),
  succeeded: new Set(),
  cancelled: new Set(),
  dead_lettered: new Set(),
};

/**
 * Moves allowed from `queued` within an attempt that was claimed (it has a token): the attempt was
 * handed back (a bounced dispatch, an expired lease) or failed and was decided (a retry). Nothing
 * its agent sends moves it any more, not even a result: the owner that dispatched it may be stale
 * (a paused replica resuming), and the store refuses what a stale owner set going. The next claim
 * starts a new attempt.
 */
const HANDED_BACK: ReadonlySet<TaskStatus> = new Set(['queued', 'dispatched', 'cancelled', 'dead_lettered']);

/**
 * Applies one event to a task's state. Pure, so every replica and every retry computes the same
 * answer; applying the same event twice leaves the state as it was after the first time (the
 * store additionally skips events whose id it has seen).
 *
 * - An event of an older attempt is ignored (STALE_ATTEMPT): late results of superseded attempts.
 * - An event of the current attempt without that attempt's token is ignored (STALE_TOKEN): only the
 *   holder of the claim (the scheduler replica that dispatched it, the agent it dispatched to) can
 *   move it. `cancelled` needs no token, and neither does a task that was never claimed; an
 *   agent's `cancelled` (with the token) applies only while the attempt is dispatched or running.
 * - A newer attempt supersedes the current one from any non-final status.
 * - Within an attempt only the moves in SAME_ATTEMPT are allowed; anything else (succeeded ->
 *   running, an out-of-order `dispatched` after `started`) is ignored as INVALID_TRANSITION.
 * - Final statuses are final, except dead_lettered -> queued with a newer attempt (re-drive).
 */
export function applyTaskEvent(state: TaskState, event: TaskEvent): TransitionOutcome {
  const target = STATUS_OF_EVENT[event.type];
  if (event.attempt < state.attempt) {
    return {
      kind: 'ignored',
      reason: 'STALE_ATTEMPT',
      detail: `${event.type} of attempt ${event.attempt}, task is at attempt ${state.attempt}`,
    };
  }
  const newerAttempt = event.attempt > state.attempt;
  if (
    !newerAttempt &&
    state.token !== undefined &&
    event.type !== 'cancelled' &&
    event.token !== state.token
  ) {
    return {
      kind: 'ignored',
      reason: 'STALE_TOKEN',
      detail: `${event.type} of attempt ${event.attempt} without the attempt's fencing token`,
    };
  }
  if (
    event.type === 'cancelled' &&
    event.token !== undefined &&
    !newerAttempt &&
    state.status !== 'dispatched' &&
    state.status !== 'running'
  ) {
    // An agent reporting that it stopped an attempt the platform gave up on (timed out, lost):
    // only the platform's own cancellation (without a token) ends a task that is not running.
    return {
      kind: 'ignored',
      reason: 'INVALID_TRANSITION',
      detail: `${state.status} -> cancelled by the agent of attempt ${event.attempt}, which no longer runs`,
    };
  }
  const final = isFinalStatus(state.status);
  const allowed = final
    ? newerAttempt && state.status === 'dead_lettered' && target === 'queued'
    : newerAttempt ||
      (state.status === 'queued' && state.token !== undefined ? HANDED_BACK : SAME_ATTEMPT[state.status]).has(
        target,
      );
  if (!allowed) {
    return {
      kind: 'ignored',
      reason: 'INVALID_TRANSITION',
      detail: `${state.status} -> ${target} (attempt ${event.attempt})`,
    };
  }
  return { kind: 'applied', next: nextState(state, event, target) };
}

function nextState(state: TaskState, event: TaskEvent, status: TaskStatus): TaskState {
  const next: TaskState = {
    ...state,
    status,
    attempt: event.attempt,
    statusReason: undefined,
    notBefore: undefined,
  };
  if (event.attempt > state.attempt) next.token = event.type === 'dispatched' ? event.token : undefined;
  switch (event.type) {
    case 'queued':
      next.statusReason = event.reason;
      next.agentId = undefined;
      next.notBefore = event.notBefore;
      if (event.failures !== undefined) next.failures = event.failures;
      break;
    case 'dispatched':
      next.agentId = event.agentId;
      break;
    case 'started':
    case 'progress':
    case 'succeeded':
      next.agentId = event.agentId;
      break;
    case 'failed':
      next.lastError = event.error;
      if (event.agentId) next.agentId = event.agentId;
      break;
    case 'cancelled':
      next.statusReason = event.reason;
      break;
    case 'dead_lettered':
      next.lastError = event.error;
      next.statusReason = event.error.message;
      if (event.failures !== undefined) next.failures = event.failures;
      break;
  }
  return next;
}
