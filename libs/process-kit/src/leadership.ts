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
  /**
   * Starts the active part of the service; resolves with the function that stops it. If it throws,
   * it must leave nothing running: it is called again on a later round while the lease is held.
   */
  lead(): Promise<() => Promise<void>>;
}

/** Share of the TTL after a renewal was sent within which the leader must renew again or stop. */
const LEAD_FOR = 2 / 3;
/** Renewals are sent every ttl/4 (or as soon as the previous answer came, when slower). */
const RENEW_EVERY = 1 / 4;

/**
 * Runs `lead` in exactly one replica at a time: every replica tries to acquire (or renew) the
 * lease every ttl/4; the holder leads. Renewals go on while `lead` is still starting (a start may
 * take longer than the TTL), and the active part is stopped (once started) when the lease is lost.
 *
 * No overlap between leaders: a renewal sent at local time s that succeeds proves the lease is ours
 * until at least s + ttl (the store judges expiry on its own clock, from when it handled the
 * request, which is after s). The leader stops leading at s + 2/3 ttl unless a newer renewal
 * succeeded by then: a watchdog timer fires even while a renewal request hangs. So another
 * replica can take over only after the old leader has begun to stop, with ttl/3 for the stop.
 * Left out: fencing tokens (see the LeaseStore port).
 */
export class Leadership {
  private readonly controller = new AbortController();
  private loop: Promise<void> | undefined;
  /** The active part, from the call of `lead` on; resolves with its stop (undefined if it failed). */
  private active: Promise<(() => Promise<void>) | undefined> | undefined;
  /** A step-down still stopping the previous active part: no new one starts before it finished. */
  private stopping: Promise<void> | undefined;
  private started = false;
  private watchdog: NodeJS.Timeout | undefined;

  constructor(private readonly options: LeadershipOptions) {}

  /** True while this replica holds the lease and its active part has started. */
  get leading(): boolean {
    return this.started;
  }

  start(): void {
    this.loop ??= this.run();
  }

  async stop(): Promise<void> {
    this.controller.abort();
    await this.loop;
    await this.stepDown('stopping');
    await this.stopping;
    clearTimeout(this.watchdog);
    await this.options.leases.release(this.options.name, this.options.holder).catch(() => undefined);
  }

  private async run(): Promise<void> {
    const { leases, name, holder, ttlMs, logger } = this.options;
    const signal = this.controller.signal;
    while (!signal.aborted) {
      const sentAt = performance.now();
      try {
        const acquired = await leases.tryAcquire(name, holder, ttlMs);
        if (signal.aborted) break;
        if (acquired) {
          if (this.renewed(sentAt) && !this.active && !this.stopping) this.beginLeading();
        } else {
          await this.stepDown('another replica holds the lease');
        }
      } catch (error) {
        // The watchdog steps down if no renewal succeeds in time.
        logger.warn(
          { lease: name, err: error instanceof Error ? error.message : String(error) },
          'lease renewal failed',
        );
      }
      const wait = Math.max(0, sentAt + ttlMs * RENEW_EVERY - performance.now());
      await sleep(wait, signal).catch(() => undefined);
    }
  }

  /** Re-arms the watchdog; false if the answer came too late to lead on it. */
  private renewed(sentAt: number): boolean {
    clearTimeout(this.watchdog);
    const remaining = sentAt + this.options.ttlMs * LEAD_FOR - performance.now();
    if (remaining <= 0) {
      void this.stepDown('lease renewed too late');
      return false;
    }
    this.watchdog = setTimeout(() => void this.stepDown('lease not renewed in time'), remaining);
    return true;
  }

  private beginLeading(): void {
    const { logger, name, holder } = this.options;
    logger.info({ lease: name, holder }, 'elected leader');
    const active: Promise<(() => Promise<void>) | undefined> = this.options.lead().then(
      (stop) => {
        if (this.active === active) this.started = true;
        return stop;
      },
      (error: unknown) => {
        logger.error(
          { lease: name, err: error instanceof Error ? error.message : String(error) },
          'starting to lead failed',
        );
        if (this.active === active) this.active = undefined;
        return undefined;
      },
    );
    this.active = active;
  }

  /** Stops the active part (waiting for its start first, if it is still starting). */
  private async stepDown(reason: string): Promise<void> {
    const active = this.active;
    if (!active) return;
    this.active = undefined;
    this.started = false;
    clearTimeout(this.watchdog);
    this.options.logger.warn({ lease: this.options.name, reason }, 'stepping down');
    const stopping = (async () => {
      const stop = await active;
      await stop?.().catch((error: unknown) =>
        this.options.logger.error(
          { lease: this.options.name, err: String(error) },
          'stopping the leader failed',
        ),
      );
    })();
    this.stopping = stopping;
    await stopping;
    if (this.stopping === stopping) this.stopping = undefined;
  }
}
