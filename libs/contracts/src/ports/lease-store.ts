/**
 * Leadership by lease, for services that must have one active replica (the scheduler, the
 * registry's status publisher). A holder that acquired a lease owns it until `ttlMs` after its
 * last successful `tryAcquire`; another holder gets it only after it expired or was released.
 * Expiry is judged on the store's clock (PostgreSQL's `now()`), never the replicas' clocks.
 *
 * Left out: fencing tokens. A deposed holder may act for up to one renewal interval after losing
 * the lease; the task state machine's attempt epochs make that harmless (at most one result).
 */
export interface LeaseStore {
  /** Acquires or renews; resolves true while `holder` owns the lease, false when another does. */
  tryAcquire(name: string, holder: string, ttlMs: number): Promise<boolean>;
  /** Gives the lease up at once (a clean shutdown hands leadership over without waiting for expiry). */
  release(name: string, holder: string): Promise<void>;
}
