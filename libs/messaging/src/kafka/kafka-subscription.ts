import type { BatchHandler, BusMessage, Subscription } from '@contextforge/contracts';
import type { Consumer, EachBatchPayload, KafkaMessage } from 'kafkajs';
import { processBatch, type DeadLetterPublisher } from '../batch-processor';
import type { BusLogger, BusMetrics, RetryPolicy } from '../bus-options';
import { decodeValue } from '../message-codec';

export interface KafkaSubscriptionSettings {
  topic: string;
  group: string;
  handler: BatchHandler;
  maxBatchSize: number;
  retry: RetryPolicy;
  logger: BusLogger;
  joinTimeoutMs: number;
  partitionsConsumedConcurrently: number;
  deadLetter: DeadLetterPublisher;
  /** Receives the subscription's lag after every batch and committed chunk. */
  metrics?: BusMetrics;
  /**
   * For `from: 'latest'`: where each partition without a committed offset starts (its high
   * watermark taken before subscribing), applied by seeking on the first group join. kafkajs's own
   * `fromBeginning: false` resolves "latest" only at the member's first fetch, after subscribe()
   * resolved, losing what is published in between.
   */
  startAt?: ReadonlyMap<number, string>;
}

/**
 * One member of a consumer group: its own kafkajs consumer. Offsets are committed only for
 * messages whose handler resolved or that were dead-lettered; kafkajs's auto-commit is off, so
 * a member that dies or leaves mid-batch leaves the rest for the next owner of the partition.
 */
export class KafkaSubscription implements Subscription {
  private closing = false;
  private joinedOnce = false;
  /** Next offset to commit per partition, handled since the last commit. */
  private readonly uncommitted = new Map<number, string>();
  private lastCommitAt = 0;
  private commitTimer: NodeJS.Timeout | undefined;
  private rejoining = false;
  private closed: Promise<void> | undefined;
  private readonly abort = new AbortController();
  /** Messages behind the high watermark per partition, as of the last batch seen on it. */
  private readonly lag = new Map<number, number>();

  constructor(
    private readonly consumer: Consumer,
    private readonly settings: KafkaSubscriptionSettings,
  ) {}

  /**
   * Connects, subscribes from the earliest offset for a new group (or `startAt`), and waits for the group join.
   */
  async start(startAt?: ReadonlyMap<number, string>): Promise<void> {
    const { consumer } = this;
    const settings = { ...this.settings, ...(startAt ? { startAt } : {}) };
    let onJoin!: () => void;
    let onFatal!: (error: Error) => void;
    const joined = new Promise<void>((resolve, reject) => {
      onJoin = resolve;
      onFatal = reject;
    });
    // A crash after the join (or after a join timeout) must not surface as an unhandled rejection.
    void joined.catch(() => undefined);
    let seeked = false;
    const removeJoin = consumer.on(consumer.events.GROUP_JOIN, () => {
      // Only on the first join: after a rebalance the group continues from its commits.
      if (!seeked && settings.startAt) {
        seeked = true;
        for (const [partition, offset] of settings.startAt) {
          consumer.seek({ topic: settings.topic, partition, offset });
        }
      }
      this.joinedOnce = true;
      onJoin();
    });
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      const fields = {
        topic: settings.topic,
        group: settings.group,
        restart: payload.restart,
        error: payload.error.message,
      };
      if (payload.restart) {
        settings.logger.warn(fields, 'kafka consumer crashed; kafkajs restarts it');
        return;
      }
      if (!this.joinedOnce) {
        settings.logger.error(fields, 'kafka consumer crashed and stopped');
        onFatal(payload.error);
        return;
      }
      // kafkajs gives up on errors it does not deem retriable (a handler's own failure, a broker
      // error outside its list): the member would stay out of its group for good, and what it
      // owned wait for nobody. It rejoins instead, with a backoff, until closed.
      settings.logger.error(fields, 'kafka consumer crashed; rejoining the group');
      void this.rejoin();
    });
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`group ${settings.group} not joined within ${settings.joinTimeoutMs} ms`)),
        settings.joinTimeoutMs,
      );
    });
    try {
      settings.metrics?.countOffsetResets(settings.topic, settings.group, 0);
      await this.run();
      await Promise.race([joined, timeout]);
    } catch (error) {
      await this.close();
      throw error;
    } finally {
      clearTimeout(timer);
      removeJoin();
    }
  }

  private async run(): Promise<void> {
    const { consumer, settings } = this;
    await consumer.connect();
    // kafkajs's fromBeginning is its offset reset policy twice over: where a group without a
    // committed offset starts, and where a member restarts whose offset is out of range
    // (ConsumerGroup.recoverFromOffsetOutOfRange commits cluster.defaultOffset({ fromBeginning })).
    // Always true, so an out-of-range member never skips ahead; `from: 'latest'` is the seek on
    // the first join (start) instead.
    await consumer.subscribe({ topics: [settings.topic], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: settings.partitionsConsumedConcurrently,
      eachBatch: (payload) => this.eachBatch(payload),
    });
  }

  /** After a crash kafkajs does not restart from: connect and run again, backing off, until closed. */
  private async rejoin(): Promise<void> {
    if (this.rejoining) return;
    this.rejoining = true;
    try {
      for (
        let delay = REJOIN_FIRST_DELAY_MS;
        !this.closing;
        delay = Math.min(delay * 2, REJOIN_MAX_DELAY_MS)
      ) {
        await new Promise((resolve) => setTimeout(resolve, delay).unref());
        if (this.closing) return;
        try {
          await this.consumer.disconnect();
          await this.run();
          this.settings.logger.warn(
            { topic: this.settings.topic, group: this.settings.group },
            'kafka consumer rejoined its group after a crash',
          );
          return;
        } catch (error) {
          this.settings.logger.error(
            {
              topic: this.settings.topic,
              group: this.settings.group,
              error: String(error),
              retryInMs: delay,
            },
            'rejoining the group failed',
          );
        }
      }
    } finally {
      this.rejoining = false;
    }
  }

  close(): Promise<void> {
    this.closing = true;
    this.abort.abort();
    clearTimeout(this.commitTimer);
    // A broker that is gone must not hold up the shutdown: the commit gets a bounded wait.
    this.closed ??= Promise.race([
      this.commitUncommitted(),
      new Promise<void>((resolve) => setTimeout(resolve, CLOSE_COMMIT_WAIT_MS).unref()),
    ]).then(() => this.consumer.disconnect());
    return this.closed;
  }

  /**
   * Handled offsets are committed at most every COMMIT_INTERVAL_MS (and at once when closing): a
   * commit per batch was a broker round trip per handful of messages for every consumer, the
   * largest share of their Kafka traffic under load. What a member handled but had not committed
   * when it died or lost the partition is delivered again (at least once, as ever; every handler
   * is idempotent); a clean close commits everything first.
   */
  private commitSoon(): void {
    if (this.commitTimer) return;
    this.commitTimer = setTimeout(() => {
      this.commitTimer = undefined;
      void this.commitUncommitted();
    }, COMMIT_INTERVAL_MS);
    this.commitTimer.unref();
  }

  private async commitUncommitted(): Promise<void> {
    if (this.uncommitted.size === 0) return;
    const offsets = [...this.uncommitted].map(([partition, offset]) => ({
      topic: this.settings.topic,
      partition,
      offset,
    }));
    this.uncommitted.clear();
    this.lastCommitAt = Date.now();
    // After a rebalance the broker refuses this generation's commits: the new owner goes on
    // from its own position, and what this member handled meanwhile is delivered again.
    await this.consumer
      .commitOffsets(offsets)
      .catch((error: unknown) =>
        this.settings.logger.warn(
          { topic: this.settings.topic, group: this.settings.group, error: String(error) },
          'committing handled offsets failed; they will be delivered again',
        ),
      );
  }

  private async eachBatch(payload: EachBatchPayload): Promise<void> {
    const {
      batch,
      resolveOffset,
      heartbeat,
      commitOffsetsIfNecessary,
      uncommittedOffsets,
      isRunning,
      isStale,
    } = payload;
    const { settings } = this;
    const isActive = (): boolean => !this.closing && isRunning() && !isStale();
    const messages = batch.messages.map((message) => toBusMessage(batch.topic, batch.partition, message));
    const first = messages[0];
    if (first) this.reportLag(batch.partition, batch.highWatermark, first.offset);
    for (let start = 0; start < messages.length; start += settings.maxBatchSize) {
      if (!isActive()) return;
      const chunk = messages.slice(start, start + settings.maxBatchSize);
      const finished = await processBatch({
        messages: chunk,
        handler: settings.handler,
        group: settings.group,
        retry: settings.retry,
        logger: settings.logger,
        signal: this.abort.signal,
        isActive,
        afterWait: heartbeat,
        deadLetter: settings.deadLetter,
      });
      const last = chunk[finished - 1];
      if (last) {
        resolveOffset(last.offset);
        const next = (BigInt(last.offset) + 1n).toString();
        this.uncommitted.set(batch.partition, next);
        if (this.closing || Date.now() - this.lastCommitAt >= COMMIT_INTERVAL_MS) {
          this.uncommitted.clear();
          this.lastCommitAt = Date.now();
          await commitOffsetsIfNecessary(uncommittedOffsets());
        } else {
          this.commitSoon();
        }
        this.reportLag(batch.partition, batch.highWatermark, next);
      }
      if (finished < chunk.length) return;
      await heartbeat();
    }
  }

  /**
   * Lag of a partition = its high watermark (as the fetch saw it) minus the next offset to
   * process; the subscription reports the sum over the partitions it has seen. Partitions moved
   * to another member by a rebalance keep their last figure here until this member is closed.
   */
  private reportLag(partition: number, highWatermark: string, nextOffset: string): void {
    const { metrics, topic, group } = this.settings;
    if (!metrics) return;
    this.lag.set(partition, lagOf(highWatermark, nextOffset));
    let total = 0;
    for (const behind of this.lag.values()) total += behind;
    metrics.setConsumerLag(topic, group, total);
  }
}

/** Longest a handled offset waits for its commit (a trailing timer commits the last ones). */
const COMMIT_INTERVAL_MS = 100;
/** Longest a close waits for its last commit. */
const CLOSE_COMMIT_WAIT_MS = 2_000;
const REJOIN_FIRST_DELAY_MS = 500;
const REJOIN_MAX_DELAY_MS = 30_000;

function lagOf(highWatermark: string, nextOffset: string): number {
  const behind = BigInt(highWatermark) - BigInt(nextOffset);
  return behind > 0n ? Number(behind) : 0;
}

function toBusMessage(topic: string, partition: number, message: KafkaMessage): BusMessage {
  const headers: Record<string, string> = {};
  for (const [name, raw] of Object.entries(message.headers ?? {})) {
    const value = Array.isArray(raw) ? raw[raw.length - 1] : raw;
    if (value !== undefined) headers[name] = value.toString();
  }
  return {
    topic,
    key: message.key?.toString() ?? '',
    value: decodeValue(message.value?.toString()),
    headers,
    partition,
    offset: message.offset,
  };
}
