import { DEFAULT_MAX_ATTEMPTS, isRetryable } from '@contextforge/contracts';
import { abortErrorFor } from './abort-error';
import { backoffDelay, type BackoffOptions } from './backoff';
import { sleep } from './sleep';

/**
 * The retry policy plus its controls. Backoff defaults: initialMs 200, maxMs 30 000, multiplier 2,
 * full jitter (the same as the config's coordinator.retry defaults).
 */
export interface RetryOptions extends Partial<BackoffOptions> {
  /** Calls of `fn` in total, including the first. Default 3 (DEFAULT_MAX_ATTEMPTS). */
  maxAttempts?: number;
  /** Stops waiting and retrying; passed on to `fn`, which should stop its own work too. */
  signal?: AbortSignal;
  /** Whether `error` is worth another attempt. Default: `isRetryable` (the error's own `retryable`). */
  shouldRetry?: (error: unknown, attempt: number) => boolean;
  /** Called before each wait, e.g. to log the failure. */
  onRetry?: (event: { error: unknown; attempt: number; delayMs: number }) => void;
}

/**
 * Calls `fn` until it resolves, retrying failures that `shouldRetry` accepts, at most
 * `maxAttempts` calls, waiting backoffDelay(n) before retry n. The policy lives here, not in
 * `fn`: business code throws errors that carry `retryable`, this decides.
 *
 * Rejects with `fn`'s last error when attempts run out or an error is not retryable; with
 * abortErrorFor(signal) when the signal aborts (before a call, during a wait, or while a failing
 * call was running). A call that succeeds after an abort still returns its value.
 */
export async function retry<T>(
  fn: (attempt: number, signal: AbortSignal | undefined) => Promise<T>,
  options: RetryOptions = {},
): Promise<T> {
  const maxAttempts = options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1) {
    throw new RangeError(`retry: expected maxAttempts to be an integer >= 1, got ${maxAttempts}`);
  }
  const shouldRetry = options.shouldRetry ?? isRetryable;
  const backoff: BackoffOptions = {
    initialMs: options.initialMs ?? 200,
    maxMs: options.maxMs ?? 30_000,
    multiplier: options.multiplier,
    jitter: options.jitter,
    random: options.random,
  };
  const { signal } = options;
  for (let attempt = 1; ; attempt += 1) {
    if (signal?.aborted) throw abortErrorFor(signal);
    try {
      return await fn(attempt, signal);
    } catch (error) {
      if (signal?.aborted) throw abortErrorFor(signal);
      if (attempt >= maxAttempts || !shouldRetry(error, attempt)) throw error;
      const delayMs = backoffDelay(attempt, backoff);
      options.onRetry?.({ error, attempt, delayMs });
      await sleep(delayMs, signal);
    }
  }
}
