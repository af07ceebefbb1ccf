import type { MessageBus, OutgoingMessage, TaskEvent } from '@contextforge/contracts';
import type { Logger } from '@contextforge/observability';

/**
 * Coalesces the events produced within one tick into a single bus publish (one Kafka request
 * instead of one per event), keeping their order. A failed publish is retried with a capped
 * backoff until it succeeds, so an accepted attempt's outcome is not lost to a transient bus
 * outage; only a bounded `flush(timeoutMs)` at shutdown gives up (after one last try per batch)
 * and drops what it could not send, so a bus that stays down cannot hang the agent's stop().
 */
export class EventPublisher {
  private pending: OutgoingMessage[] = [];
  private inFlight: Promise<void> = Promise.resolve();
  private scheduled = false;
  private givingUp = false;
  /** Ends the backoff wait of a failing send early (when a flush gives up). */
  private wake: (() => void) | undefined;

  constructor(
    private readonly bus: MessageBus,
    private readonly topic: string,
    private readonly logger: Logger,
  ) {}

  publish(event: TaskEvent, traceparent: string | undefined): void {
    this.pending.push({
      key: event.taskId,
      value: event,
      ...(traceparent ? { headers: { traceparent } } : {}),
    });
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      const batch = this.pending;
      this.pending = [];
      this.inFlight = this.inFlight.then(() => this.send(batch));
    });
  }

  /**
   * Resolves once everything published so far has been sent. With `timeoutMs`, resolves at the
   * latest shortly after it: batches still failing then are dropped (logged as errors).
   */
  async flush(timeoutMs = Number.POSITIVE_INFINITY): Promise<void> {
    while (this.scheduled || this.pending.length > 0) {
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    if (timeoutMs === Number.POSITIVE_INFINITY) {
      await this.inFlight;
      return;
    }
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<'expired'>((resolve) => {
      timer = setTimeout(() => resolve('expired'), timeoutMs);
    });
    const outcome = await Promise.race([this.inFlight.then(() => 'sent' as const), expired]);
    clearTimeout(timer);
    if (outcome === 'expired') {
      this.givingUp = true;
      this.wake?.();
      await this.inFlight;
    }
  }

  private async send(batch: OutgoingMessage[]): Promise<void> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        await this.bus.publish(this.topic, batch);
        return;
      } catch (error) {
        if (this.givingUp) {
          this.logger.error({ err: String(error), dropped: batch.length }, 'task events dropped at shutdown');
          return;
        }
        const delay = Math.min(5_000, 50 * 2 ** attempt);
        this.logger.warn(
          { err: String(error), attempt, delayMs: delay },
          'publishing task events failed; retrying',
        );
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, delay);
          this.wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        this.wake = undefined;
      }
    }
  }
}
