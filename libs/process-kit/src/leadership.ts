import type { LeaseStore } from '@contextforge/contracts';
import type { Logger } from '@contextforge/observability';
import { sleep } from '@contextforge/resilience';

export interface LeadershipOptions {
  leases: LeaseStore;
  /** The lease name, one per service role (e.g. "scheduler"). */
  name: string;
  /** This replica's identity (unique per process). */
  holder: string;
  ttlMs: number;
  logger: Logger;
  /** Starts the active part of the service; resolves with the function that stops it. */
  lead(): Promise<() => Promise<void>>;
}

/**
 * Runs `lead` in exactly one replica at a time: every replica tries to acquire (or renew) the
 * lease every ttl/3; the holder leads. A leader that cannot renew (lost the lease, or could not
 * reach the lease store for 2/3 of the TTL) steps down at once, before another replica can take
 * over, so two leaders overlap by at most the time a stop takes.
 */
export class Leadership {
  private readonly controller = new AbortController();
  private stopLeading: (() => Promise<void>) | undefined;
  private loop: Promise<void> | undefined;
  private lastRenewal = -Infinity;

  constructor(private readonly options: LeadershipOptions) {}

  get leading(): boolean {
    return this.stopLeading !== undefined;
  }

  start(): void {
    this.loop ??= this.run();
  }

  async stop(): Promise<void> {
    this.controller.abort();
    await this.loop;
    await this.stepDown('stopping');
    await this.options.leases.release(this.options.name, this.options.holder).catch(() => undefined);
  }

  private async run(): Promise<void> {
    const { leases, name, holder, ttlMs, logger } = this.options;
    const signal = this.controller.signal;
    while (!signal.aborted) {
      try {
        const acquired = await leases.tryAcquire(name, holder, ttlMs);
        if (acquired) {
          this.lastRenewal = performance.now();
          if (!this.leading && !signal.aborted) {
            logger.info({ lease: name, holder }, 'elected leader');
            this.stopLeading = await this.options.lead();
          }
        } else {
          await this.stepDown('another replica holds the lease');
        }
      } catch (error) {
        logger.warn(
          { lease: name, err: error instanceof Error ? error.message : String(error) },
          'lease renewal failed',
        );
        if (performance.now() - this.lastRenewal > (ttlMs * 2) / 3)
          await this.stepDown('lease not renewed in time');
      }
      await sleep(ttlMs / 3, signal).catch(() => undefined);
    }
  }

  private async stepDown(reason: string): Promise<void> {
    const stop = this.stopLeading;
    if (!stop) return;
    this.stopLeading = undefined;
    this.options.logger.warn({ lease: this.options.name, reason }, 'stepping down');
    await stop();
  }
}
