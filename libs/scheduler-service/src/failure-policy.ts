import type { SerializedError } from '@contextforge/contracts';
import { backoffDelay } from '@contextforge/resilience';

export interface RetrySettings {
  initialDelayMs: number;
  maxDelayMs: number;
}

/**
 * Attempts that ended through no fault of the task: a draining agent handed it back, or the
 * dispatching replica stalled or died before the agent started it (its lease ran out).
 */
const HAND_BACKS: ReadonlySet<string> = new Set(['AGENT_DRAINING', 'DISPATCH_EXPIRED']);

/** `failures` is the count after this failure; `reason` goes into the published event. */
export type FailureDecision =
  | { kind: 'dead_letter'; failures: number; reason: string }
  | { kind: 'retry'; failures: number; delayMs: number; reason: string };

/**
 * What follows a failed attempt, read from the error's data only: a non-retryable error or the
 * last of `maxAttempts` dead-letters the task; otherwise it is retried after exponential backoff
 * with full jitter. A hand-back is not the task's fault: it does not count as a failure and is
 * retried at once (see HAND_BACKS).
 */
export function decideAfterFailure(
  error: SerializedError,
  previousFailures: number,
  maxAttempts: number,
  retry: RetrySettings,
  random: () => number = Math.random,
): FailureDecision {
  const handBack = HAND_BACKS.has(error.code);
  const failures = previousFailures + (handBack ? 0 : 1);
  if (!error.retryable) return { kind: 'dead_letter', failures, reason: 'not retryable' };
  if (failures >= maxAttempts) {
    return { kind: 'dead_letter', failures, reason: `gave up after ${failures} of ${maxAttempts} attempts` };
  }
  const delayMs = handBack
    ? 0
    : backoffDelay(failures, {
        initialMs: retry.initialDelayMs,
        maxMs: retry.maxDelayMs,
        jitter: 'full',
        random,
      });
  const reason = handBack
    ? `${error.code === 'AGENT_DRAINING' ? 'handed back by a draining agent' : 'dispatch lost'}; attempt ${failures + 1} of ${maxAttempts} re-dispatched at once`
    : `retry ${failures + 1} of ${maxAttempts} in ${Math.round(delayMs)} ms after ${error.code}`;
  return { kind: 'retry', failures, delayMs, reason };
}
