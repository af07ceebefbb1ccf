/**
 * Exponential backoff with a cap and jitter, as a pure function (the randomness is injectable).
 *
 * The wait before retry number `attempt` (1 = the first retry) has the upper bound
 *   ceiling(attempt) = min(maxMs, initialMs * multiplier^(attempt - 1))
 * and the jitter mode places the delay inside it:
 *   full   uniform in [0, ceiling]            spreads retries the most (AWS "full jitter")
 *   equal  uniform in [ceiling/2, ceiling]    keeps at least half of the backoff
 *   none   exactly ceiling                    deterministic, for tests and fixed schedules
 * (The top is reached only through floating-point rounding of random() values just below 1.)
 */
export type Jitter = 'full' | 'equal' | 'none';

export interface BackoffOptions {
  /** Ceiling of the first retry (ms), >= 0. */
  initialMs: number;
  /** Largest delay ever returned (ms), >= 0. */
  maxMs: number;
  /** Growth per attempt, >= 1. Default 2. */
  multiplier?: number;
  /** Default "full". */
  jitter?: Jitter;
  /** Returns a number in [0, 1). Default Math.random. */
  random?: () => number;
}

/** The upper bound of the delay before retry `attempt`; non-decreasing in `attempt`, never above maxMs. */
export function backoffCeiling(attempt: number, options: BackoffOptions): number {
  const { initialMs, maxMs, multiplier = 2 } = options;
  if (!(initialMs >= 0) || !(maxMs >= 0) || !(multiplier >= 1) || Number.isNaN(attempt)) {
    throw new RangeError(
      `backoff: expected initialMs >= 0, maxMs >= 0, multiplier >= 1 and a numeric attempt; got ${JSON.stringify({ attempt, initialMs, maxMs, multiplier })}`,
    );
  }
  // Attempts below 1 are read as 1: a caller's off-by-one must not produce a bigger wait or NaN.
  const exponent = Math.max(0, Math.floor(attempt) - 1);
  const uncapped = initialMs === 0 ? 0 : initialMs * multiplier ** exponent;
  return Math.min(maxMs, uncapped);
}

/** The delay (ms) to wait before retry `attempt` (1-based). Not rounded. */
export function backoffDelay(attempt: number, options: BackoffOptions): number {
  const ceiling = backoffCeiling(attempt, options);
  const jitter = options.jitter ?? 'full';
  if (jitter === 'none') return ceiling;
  const random = options.random ?? Math.random;
  // Clamped so that a generator returning exactly 1 (or a little more) cannot exceed the ceiling.
  const unit = Math.min(Math.max(random(), 0), 1);
  return jitter === 'full' ? unit * ceiling : ceiling / 2 + (unit * ceiling) / 2;
}
