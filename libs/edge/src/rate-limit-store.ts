/**
 * A rate: at most `limit` units (requests, tasks) per `windowMs` milliseconds. The config's
 * `network.rate_limiting.*` values have this shape.
 */
export interface RateLimitRate {
  readonly limit: number;
  readonly windowMs: number;
}

/** The answer to one hit. All durations are whole milliseconds, rounded up. */
export interface RateLimitDecision {
  readonly allowed: boolean;
  /** The rate's limit (for the RateLimit-Limit header). */
  readonly limit: number;
  /** Units that could be spent at once right after this hit. */
  readonly remaining: number;
  /** Until the key has its whole allowance (`limit`) back. */
  readonly resetMs: number;
  /** Refused: until the same hit would be allowed; 0 when allowed. */
  readonly retryAfterMs: number;
}

/**
 * Counters for rate limits, keyed by what is limited (`ip:203.0.113.7`, `agent:a1`,
 * `client:alice`). One store may serve several rates as long as each key is used with one rate.
 *
 * Algorithm: GCRA (the generic cell rate algorithm, equivalent to a token bucket that refills
 * continuously) with a burst of `limit`. A key at rest may spend its whole `limit` at once; after
 * that it earns one unit back every `windowMs / limit`. So "100/min" lets 100 requests through
 * at once, refuses the 101st, and then allows about one more every 600 ms; over any window of
 * `windowMs` at most 2 x limit pass (a full burst, then a full refill), and over long periods
 * the average is `limit` per window. State per key is one number (the theoretical arrival time),
 * so a store holds nothing for keys at rest.
 *
 * Guarantees (contract suite, libs/edge/test): a hit of `cost` units is allowed only if the key
 * has `cost` units left, and then spends them; a refused hit spends nothing; concurrent hits on
 * one key are serialised (N parallel hits with limit L allow exactly min(N, L)); a hit with
 * `cost > limit` is always refused (retryAfterMs then says when the key is full again, which
 * still will not be enough); cost 0 is always allowed and reports the state. Stores shared by
 * several processes (PostgreSQL) judge time by their own clock, never the callers'.
 *
 * Left out: sliding-window logs (memory per request), per-key rates stored in the store (the
 * caller passes the rate on each hit), and fail-open behaviour: a store that cannot answer
 * rejects, and the caller decides.
 */
export interface RateLimitStore {
  /** Spends `cost` (an integer >= 0) units of `key` if it has them; see the contract above. */
  hit(key: string, cost: number, rate: RateLimitRate): Promise<RateLimitDecision>;
  /** Releases connections and timers. */
  close(): Promise<void>;
}
