import type { MessageBus, TaskChangedMessage, TaskQueue } from '@contextforge/contracts';

const BUSY_RETRY_MS = 10;

export interface OutboxRelayOptions {
  queue: Pick<TaskQueue, 'relayOutbox'>;
  bus: MessageBus;
  /** The task-changes topic. */
  topic: string;
  logger: { warn(fields: object, message: string): void };
  /** Rows per publish (default 500). */
  batchSize?: number;
  /** How often it looks without being kicked, and waits after a failure (default 250 ms). */
  pollIntervalMs?: number;
  /** Called with every batch once it was published (in-process listeners, e.g. the embedded system's). */
  onRelayed?: (changes: readonly TaskChangedMessage[]) => void;
}

/**
 * Moves committed changes from the outbox to the task-changes topic. Every process that writes
 * task state runs one and kicks it after its own commits, so changes go out at once; the poll
 * catches the rest (another relay held the outbox, a publish failed). At least once: a crash
 * between the publish and the delete publishes those rows again, and consumers order by seq.
 */
export class OutboxRelay {
  private running: Promise<void> | undefined;
  private again = false;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(private readonly options: OutboxRelayOptions) {}

  start(): void {
    this.stopped = false;
    this.kick();
  }

  /** Relays soon (coalesced with a run under way). */
  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    clearTimeout(this.timer);
    this.running = this.drain().then((busy) => {
      this.running = undefined;
      if (this.stopped) return;
      if (this.again) {
        this.again = false;
        this.kick();
        return;
      }
      // Another relay holds the outbox: it may have read its last batch before this process's
      // commit, so look again shortly rather than a whole poll later.
      this.timer = setTimeout(() => this.kick(), busy ? BUSY_RETRY_MS : (this.options.pollIntervalMs ?? 250));
      this.timer.unref();
    });
  }

  /** Stops polling and waits for a run under way. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  /** Relays until the outbox is empty; true when another relay held it. */
  private async drain(): Promise<boolean> {
    const batchSize = this.options.batchSize ?? 500;
    try {
      for (;;) {
        const relayed = await this.options.queue.relayOutbox((changes) => this.publish(changes), batchSize);
        if (relayed < batchSize) return relayed < 0;
      }
    } catch (error) {
      this.options.logger.warn(
        { err: error instanceof Error ? error.message : String(error) },
        'relaying task changes failed; they stay in the outbox and go out on the next run',
      );
      return false;
    }
  }

  private async publish(changes: readonly TaskChangedMessage[]): Promise<void> {
    await this.options.bus.publish(
      this.options.topic,
      changes.map((change) => ({
        key: change.task.id,
        value: change,
        ...(change.task.traceparent ? { headers: { traceparent: change.task.traceparent } } : {}),
      })),
    );
    this.options.onRelayed?.(changes);
  }
}
