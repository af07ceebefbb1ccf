import type { MessageBus, OutgoingMessage, TaskEvent } from '@contextforge/contracts';
import type { Logger } from '@contextforge/observability';

/**
 * Coalesces the events produced within one tick into a single bus publish (one Kafka request
 * instead of one per event), keeping their order. A failed publish is retried with a capped
 * backoff until it succeeds or the publisher is flushed at shutdown, so an accepted attempt's
 * outcome is not lost to a transient bus outage.
 */
export class EventPublisher {
  private pending: OutgoingMessage[] = [];
  private inFlight: Promise<void> = Promise.resolve();
  private scheduled = false;

  constructor(
    private readonly bus: MessageBus,
    private readonly topic: string,
    private readonly logger: Logger,
  ) {}

  publish(event: TaskEvent, traceparent: string | undefined): void {
    this.pending.push({ key: event.taskId, value: event, ...(traceparent ? { headers: { traceparent } } : {}) });
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      const batch = this.pending;
      this.pending = [];
      this.inFlight = this.inFlight.then(() => this.send(batch));
    });
  }

  /** Resolves once everything published so far has been sent. */
  async flush(): Promise<void> {
    while (this.scheduled || this.pending.length > 0) {
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    await this.inFlight;
  }

  private async send(batch: OutgoingMessage[]): Promise<void> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        await this.bus.publish(this.topic, batch);
        return;
      } catch (error) {
        const delay = Math.min(5_000, 50 * 2 ** attempt);
        this.logger.warn({ err: String(error), attempt, delayMs: delay }, 'publishing task events failed; retrying');
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }
}
