import { assertHit, gcraHit } from './gcra';
import type { RateLimitDecision, RateLimitRate, RateLimitStore } from './rate-limit-store';

export interface MemoryRateLimitStoreOptions {
  /** Milliseconds on a monotonic clock (default `performance.now`); tests pass a fake. */
  clock?: () => number;
  /**
   * Most keys held at once (default 100,000, about 10 MB). Keys at rest are dropped first; if
   * that is not enough the least recently hit are, which gives them a fresh allowance: under a
   * flood of distinct keys the store forgets rather than grows.
   */
  maxKeys?: number;
}

/**
 * Rate limits of one process (one gateway, the embedded mode, tests). A key is stored only while
 * it is not at rest (its TAT lies in the future), so memory follows the number of recently
 * active keys; expired keys are swept every `max(1000, size)` hits (amortised O(1) per hit) and
 * whenever the store is full.
 */
export class MemoryRateLimitStore implements RateLimitStore {
  /** TAT per key, in whole microseconds of `clock`. */
  private readonly tats = new Map<string, number>();
  private readonly clock: () => number;
  private readonly maxKeys: number;
  private hitsSinceSweep = 0;

  constructor(options: MemoryRateLimitStoreOptions = {}) {
    this.clock = options.clock ?? (() => performance.now());
    this.maxKeys = options.maxKeys ?? 100_000;
  }

  /** Keys held now (for tests and metrics). */
  get size(): number {
    return this.tats.size;
  }

  async hit(key: string, cost: number, rate: RateLimitRate): Promise<RateLimitDecision> {
    assertHit(cost, rate);
    const now = Math.floor(this.clock() * 1000);
    const { tatUs: tat, decision } = gcraHit(this.tats.get(key), now, cost, rate);
    // Re-inserting keeps the Map in least-recently-hit order for eviction.
    this.tats.delete(key);
    if (tat > now) this.tats.set(key, tat);
    this.hitsSinceSweep += 1;
    if (this.tats.size > this.maxKeys || this.hitsSinceSweep >= Math.max(1000, this.tats.size)) {
      this.sweep(now);
    }
    return decision;
  }

  async close(): Promise<void> {
    this.tats.clear();
  }

  private sweep(now: number): void {
    this.hitsSinceSweep = 0;
    for (const [key, tat] of this.tats) if (tat <= now) this.tats.delete(key);
    for (const key of this.tats.keys()) {
      if (this.tats.size <= this.maxKeys) break;
      this.tats.delete(key);
    }
  }
}
