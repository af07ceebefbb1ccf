import type { SerializedError } from '@contextforge/contracts';
import { backoffDelay } from '@contextforge/resilience';

export interface RetrySettings {
  initialDelayMs: number;
  maxDelayMs: number;
}

/** `failures` is the count after this failure; `reason` goes into the published event. */
export type FailureDecision =
  | { kind: 'dead_letter'; failures: number; reason: string }
  | { kind: 'retry'; failures: number; delayMs: number; reason: string };

/**
 * What follows a failed attempt, read from the error's data only: a non-retryable error or the
 * last of `maxAttempts` dead-letters the task; otherwise it is retried after exponential backoff
 * with full jitter. An AGENT_DRAINING hand-back is not the task's fault: it does not count as a
 * failure and is retried at once.
 */
export function decideAfterFailure(
  error: SerializedError,
  previousFailures: number,
  maxAttempts: number,
  retry: RetrySettings,
  random: () => number = Math.random,
): FailureDecision {
  const handBack = error.code === 'AGENT_DRAINING';
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
    ? `handed back by a draining agent; attempt ${failures + 1} of ${maxAttempts} re-dispatched at once`
    : `retry ${failures + 1} of ${maxAttempts} in ${Math.round(delayMs)} ms after ${error.code}`;
  return { kind: 'retry', failures, delayMs, reason };
}
