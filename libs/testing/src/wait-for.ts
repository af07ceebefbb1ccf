/**
 * Generic waits for tests. Prefer awaiting an event (a `deferred()` resolved by a handler) bounded
 * by `withTimeout`; `waitFor` polls and is only for state that announces no event.
 */

export interface WaitOptions {
  /** Give up after this long (default 10 s). */
  timeoutMs?: number;
  /** Poll interval for waitFor (default 10 ms). */
  intervalMs?: number;
  /** Named in the timeout error. */
  label?: string;
}

/** Polls `predicate` until it returns true (or a resolved true); rejects after `timeoutMs`. */
export async function waitFor(
  predicate: () => boolean | Promise<boolean>,
  options: WaitOptions = {},
): Promise<void> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const intervalMs = options.intervalMs ?? 10;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await predicate()) return;
    if (Date.now() >= deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${options.label ?? 'a condition'}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** Settles like `promise`, or rejects naming `label` if that takes longer than `timeoutMs`. */
export function withTimeout<T>(promise: Promise<T>, timeoutMs: number, label = 'a promise'): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${label}`)),
      timeoutMs,
    );
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
