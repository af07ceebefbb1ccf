import type { RateLimitDecision, RateLimitRate } from './rate-limit-store';

/**
 * GCRA in whole microseconds. Times and intervals are integers so that a burst of exactly
 * `limit` fits however `windowMs / limit` divides: floating-point TATs drift by a rounding step
 * per hit (at epoch milliseconds ~0.2 µs each), enough to refuse the last unit of a burst or let
 * one too many through. The emission interval T is `floor(windowUs / limit)` and a key may run
 * ahead of now by `limit * T` (the burst), so the burst is exact and the long-run rate is faster
 * than `limit` per window by less than one part in T (T is 600,000 µs for 100/min).
 */
export interface GcraParameters {
  /** Emission interval: what one unit adds to the TAT (µs, >= 1). */
  readonly intervalUs: number;
  /** How far the TAT may run ahead of now: limit x interval (µs). */
  readonly capacityUs: number;
}

/** Throws a RangeError for a cost or rate no store should accept (a programming error). */
export function assertHit(cost: number, rate: RateLimitRate): void {
  if (!Number.isSafeInteger(cost) || cost < 0) {
    throw new RangeError(`rate limit cost ${cost}: expected an integer >= 0`);
  }
  if (!Number.isSafeInteger(rate.limit) || rate.limit < 1) {
    throw new RangeError(`rate limit ${rate.limit}: expected an integer >= 1`);
  }
  if (!Number.isFinite(rate.windowMs) || rate.windowMs <= 0) {
    throw new RangeError(`rate window ${rate.windowMs} ms: expected more than 0`);
  }
}

export function gcraParameters(rate: RateLimitRate): GcraParameters {
  const intervalUs = Math.max(1, Math.floor((rate.windowMs * 1000) / rate.limit));
  return { intervalUs, capacityUs: intervalUs * rate.limit };
}

/**
 * One GCRA step. `tatUs` is the key's theoretical arrival time (undefined for a key at rest) and
 * `nowUs` the store's clock, both whole microseconds. Returns the decision and the TAT to store
 * (unchanged when refused).
 */
export function gcraHit(
  tatUs: number | undefined,
  nowUs: number,
  cost: number,
  rate: RateLimitRate,
): { tatUs: number; decision: RateLimitDecision } {
  const { intervalUs, capacityUs } = gcraParameters(rate);
  const base = Math.max(tatUs ?? nowUs, nowUs);
  const next = base + cost * intervalUs;
  const allowed = next - nowUs <= capacityUs;
  const stored = allowed ? next : base;
  return { tatUs: stored, decision: gcraDecision(stored, nowUs, allowed, cost, rate) };
}

/**
 * The decision for a key whose TAT is `tatUs` after the hit (PostgreSQL computes the TAT itself
 * and only needs this part).
 */
export function gcraDecision(
  tatUs: number,
  nowUs: number,
  allowed: boolean,
  cost: number,
  rate: RateLimitRate,
): RateLimitDecision {
  const { intervalUs, capacityUs } = gcraParameters(rate);
  const used = Math.max(tatUs, nowUs) - nowUs;
  const remaining = Math.min(rate.limit, Math.max(0, Math.floor((capacityUs - used) / intervalUs)));
  const retryAfterMs = allowed ? 0 : Math.max(1, Math.ceil((used + cost * intervalUs - capacityUs) / 1000));
  return { allowed, limit: rate.limit, remaining, resetMs: Math.ceil(used / 1000), retryAfterMs };
}
