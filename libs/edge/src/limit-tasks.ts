import { AppError } from '@contextforge/contracts';
import type { RateLimitDecision, RateLimitRate, RateLimitStore } from './rate-limit-store';

/**
 * Spends `cost` tasks of a principal's allowance (`key`: `agent:<id>`, `client:<subject>`) and
 * resolves the decision when allowed. Otherwise throws AppError RATE_LIMITED with details
 * `{ retryAfterMs, limit, windowMs, cost }`; a caller answering HTTP sets `Retry-After` from
 * `retryAfterMs` (see `retryAfterSeconds`). A batch larger than the whole limit can never pass:
 * that error says so and is not retryable. Nothing is spent when refused, so a smaller batch may
 * still pass at once.
 */
export async function limitTasks(
  store: RateLimitStore,
  key: string,
  cost: number,
  rate: RateLimitRate,
): Promise<RateLimitDecision> {
  const decision = await store.hit(key, cost, rate);
  if (decision.allowed) return decision;
  const details = { retryAfterMs: decision.retryAfterMs, limit: rate.limit, windowMs: rate.windowMs, cost };
  if (cost > rate.limit) {
    throw new AppError(
      'RATE_LIMITED',
      `${cost} tasks at once exceed the limit of ${rate.limit} per ${rate.windowMs} ms for ${key}; submit fewer`,
      { details, retryable: false },
    );
  }
  throw new AppError(
    'RATE_LIMITED',
    `too many tasks for ${key}: the limit is ${rate.limit} per ${rate.windowMs} ms; ${decision.remaining} left now`,
    { details },
  );
}
