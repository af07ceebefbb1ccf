import { AppError, deadLetterTopic } from '@contextforge/contracts';
import type {
  MessageBus,
  OutgoingMessage,
  SubscribeOptions,
  Subscription,
  WaitForGroupOptions,
} from '@contextforge/contracts';
import { Kafka } from 'kafkajs';
import type { Admin, Message } from 'kafkajs';
import {
  DEFAULT_WAIT_FOR_GROUP_MS,
  resolveMaxMessageBytes,
  resolveRetryPolicy,
  SILENT_LOGGER,
} from '../bus-options';
import type { BusLogger, RetryPolicy } from '../bus-options';
import { toDeadLetter } from '../dead-letter';
import { encodeMessage } from '../message-codec';
import { toBusError } from './kafka-errors';
import { KAFKA_LOG_LEVEL, kafkaLogCreator, type OffsetReset } from './kafka-log';
import { kafkaGroupId, type KafkaMessageBusOptions } from './kafka-options';
import { KafkaProducer } from './kafka-producer';
import { KafkaSubscription } from './kafka-subscription';
import { controllerProblem, KafkaTopics } from './kafka-topics';
import {
  chunks,
  PublishCoalescer,
  requestLimits,
  sizeOf,
  type RequestLimits,
  type TopicBatch,
} from './publish-coalescer';

const DEFAULT_MAX_BATCH_SIZE = 100;
/** Kafka has no push for another group's commits; this is how often waitForGroup asks. */
const WAIT_FOR_GROUP_POLL_MS = 100;

interface Connected {
  kafka: Kafka;
  producer: KafkaProducer;
  admin: Admin;
  topics: KafkaTopics;
}

/**
 * The MessageBus on Kafka (kafkajs), with the port's semantics:
 * - publish: key = message key, value = JSON text, headers as strings (a W3C `traceparent`
 *   header travels like any other); acks from all in-sync replicas; an idempotent producer unless
 *   `idempotent: false` (see KafkaProducer: connect fails where the cluster grants none; it is
 *   never replaced by a plain one). Concurrent publishes of
 *   the process share produce requests (PublishCoalescer): one request in flight, the next one
 *   carrying everything published meanwhile.
 * - subscribe: one kafkajs consumer per subscription, Kafka groupId = `<group>.<topic>` (the port's
 *   groups are per topic; one Kafka group spanning several topics would hand a member partitions of
 *   topics it never subscribed to, which kafkajs drops), earliest offset for a new group (or, with
 *   `from: 'latest'`, the high watermarks taken before subscribe resolves); batches split to `maxBatchSize`, offsets resolved and committed only after the handler
 *   resolved (or the message was dead-lettered). Retry, isolation and DLQ are processBatch's.
 *   Resolves after the member joined its group.
 * - Topics: `topics` are created (or, with `createTopics: false`, checked) at connect, others on
 *   first use (see KafkaTopics).
 * - kafkajs errors surface as AppError SERVICE_UNAVAILABLE naming the brokers.
 * - A member heartbeats between batches and backoff waits, not while its handler runs: a handler
 *   that takes longer than `sessionTimeoutMs` loses its partitions and its batch is redelivered.
 *
 * Left out: transactions, SASL/TLS options (add to KafkaMessageBusOptions when a cluster needs
 * them). Consumer lag is reported per subscription to `metrics` (see KafkaSubscription).
 */
export class KafkaMessageBus implements MessageBus {
  private readonly options: KafkaMessageBusOptions;
  private readonly retry: RetryPolicy;
  private readonly logger: BusLogger;
  private readonly maxMessageBytes: number;
  private readonly limits: RequestLimits;
  private readonly createTopics: boolean;
  private readonly subscriptions = new Set<KafkaSubscription>();
  /** Kafka group id -> the port's group, for what kafkajs reports by Kafka group id. */
  private readonly groups = new Map<string, string>();
  private connected: Connected | undefined;
  private state: 'new' | 'connected' | 'closed' = 'new';
  private readonly coalescer: PublishCoalescer;

  constructor(options: KafkaMessageBusOptions) {
    if (options.brokers.length === 0)
      throw new AppError('CONFIG_INVALID', 'kafka bus needs at least one broker');
    this.options = options;
    this.retry = resolveRetryPolicy(options.retry);
    this.logger = options.logger ?? SILENT_LOGGER;
    this.maxMessageBytes = resolveMaxMessageBytes(options.maxMessageBytes);
    this.createTopics = options.createTopics ?? true;
    this.limits = requestLimits(this.maxMessageBytes);
    this.coalescer = new PublishCoalescer((batches) => this.send(batches), {
      lingerMs: options.lingerMs ?? 0,
      limits: this.limits,
    });
  }

  async connect(): Promise<void> {
    if (this.state === 'closed') throw new AppError('SERVICE_UNAVAILABLE', 'the kafka bus is closed');
    if (this.connected) return;
    const kafka = new Kafka({
      clientId: this.options.clientId ?? 'contextforge',
      brokers: this.options.brokers,
      connectionTimeout: this.options.connectionTimeoutMs ?? 3_000,
      logLevel: KAFKA_LOG_LEVEL,
      logCreator: kafkaLogCreator(this.logger, { onOffsetReset: (reset) => this.onOffsetReset(reset) }),
      retry: { initialRetryTime: 100, retries: 5 },
    });
    const admin = kafka.admin({ retry: { initialRetryTime: 100, retries: 2 } });
    try {
      await admin.connect();
      const topics = new KafkaTopics(
        admin,
        {
          create: this.createTopics,
          partitions: this.options.partitions ?? 4,
          replicationFactor: this.options.replicationFactor,
          maxMessageBytes: this.maxMessageBytes,
        },
        this.logger,
      );
      await topics.prepare(this.options.topics ?? []);
      const producer = await KafkaProducer.connect(
        kafka,
        {
          idempotent: this.options.idempotent ?? true,
          allowAutoTopicCreation: this.createTopics,
          brokers: this.options.brokers,
          controllerProblem: async () => controllerProblem(await admin.describeCluster()),
        },
        this.logger,
      );
      this.connected = { kafka, producer, admin, topics };
      this.state = 'connected';
    } catch (error) {
      await admin.disconnect().catch(() => undefined);
      throw toBusError(error, 'connect', this.options.brokers);
    }
  }

  async publish(topic: string, messages: readonly OutgoingMessage[]): Promise<void> {
    const { topics } = this.requireConnected();
    const encoded: Message[] = messages.map((message) => {
      const { key, json, headers } = encodeMessage(topic, message, this.maxMessageBytes);
      return { key, value: json, headers };
    });
    if (encoded.length === 0) return;
    try {
      await topics.ensure(topic);
      await this.coalescer.publish(topic, encoded);
    } catch (error) {
      throw toBusError(error, `publish to ${topic}`, this.options.brokers, { topic });
    }
  }

  async subscribe(options: SubscribeOptions): Promise<Subscription> {
    const { kafka, topics, admin } = this.requireConnected();
    const maxBatchSize = options.maxBatchSize ?? DEFAULT_MAX_BATCH_SIZE;
    if (!Number.isInteger(maxBatchSize) || maxBatchSize < 1) {
      throw new RangeError(`maxBatchSize must be a positive integer, got ${maxBatchSize}`);
    }
    const sessionTimeout = this.options.sessionTimeoutMs ?? 10_000;
    const groupId = kafkaGroupId(options.group, options.topic);
    this.groups.set(groupId, options.group);
    const consumer = kafka.consumer({
      groupId,
      sessionTimeout,
      heartbeatInterval: this.options.heartbeatIntervalMs ?? Math.min(1_000, Math.floor(sessionTimeout / 3)),
      maxWaitTimeInMs: this.options.maxWaitTimeMs ?? 100,
      allowAutoTopicCreation: this.createTopics,
      retry: { initialRetryTime: 100, retries: 5 },
    });
    const subscription = new KafkaSubscription(consumer, {
      topic: options.topic,
      group: options.group,
      handler: options.handler,
      maxBatchSize,
      retry: this.retry,
      logger: this.logger,
      joinTimeoutMs: this.options.joinTimeoutMs ?? 60_000,
      partitionsConsumedConcurrently: options.concurrency ?? this.options.partitionsConsumedConcurrently ?? 1,
      ...(this.options.metrics ? { metrics: this.options.metrics } : {}),
      deadLetter: (message, error, attempts, { omitValue }) =>
        this.publish(deadLetterTopic(message.topic), [
          toDeadLetter(message, { group: options.group, error, attempts, at: new Date(), omitValue }),
        ]),
    });
    try {
      await topics.ensure(options.topic);
      const startAt =
        options.from === 'latest'
          ? await this.latestStart(admin, kafkaGroupId(options.group, options.topic), options.topic)
          : undefined;
      await subscription.start(startAt);
    } catch (error) {
      throw toBusError(error, `subscribe ${options.group} to ${options.topic}`, this.options.brokers);
    }
    this.subscriptions.add(subscription);
    return {
      close: async () => {
        this.subscriptions.delete(subscription);
        await subscription.close();
      },
    };
  }

  async close(): Promise<void> {
    if (this.state === 'closed') return;
    this.state = 'closed';
    const subscriptions = [...this.subscriptions];
    this.subscriptions.clear();
    await Promise.all(subscriptions.map((subscription) => subscription.close()));
    const connected = this.connected;
    this.connected = undefined;
    if (connected) await Promise.all([connected.producer.disconnect(), connected.admin.disconnect()]);
  }

  /**
   * Polls the group's committed offsets (every WAIT_FOR_GROUP_POLL_MS) until each partition's
   * reaches the high watermark read first; an empty partition (low = high) needs nothing. Offsets
   * are committed only after a handler resolved, so a caught-up group has handled everything.
   */
  async waitForGroup(group: string, topic: string, options: WaitForGroupOptions = {}): Promise<void> {
    const { admin, topics } = this.requireConnected();
    const timeoutMs = options.timeoutMs ?? DEFAULT_WAIT_FOR_GROUP_MS;
    const deadline = Date.now() + timeoutMs;
    const groupId = kafkaGroupId(group, topic);
    try {
      await topics.ensure(topic);
      const targets = (await admin.fetchTopicOffsets(topic))
        .filter(({ low, high }) => Number(high) > Number(low))
        .map(({ partition, high }) => ({ partition, high: Number(high) }));
      for (;;) {
        const committed = new Map(
          (
            (await admin.fetchOffsets({ groupId, topics: [topic] })).find((entry) => entry.topic === topic)
              ?.partitions ?? []
          ).map((entry) => [entry.partition, Number(entry.offset)]),
        );
        const behind = targets.filter(({ partition, high }) => (committed.get(partition) ?? -1) < high);
        if (behind.length === 0) return;
        if (Date.now() >= deadline) {
          throw new AppError(
            'SERVICE_UNAVAILABLE',
            `group ${group} did not catch up with ${topic} within ${timeoutMs} ms (partitions behind: ` +
              behind
                .map(({ partition, high }) => `${partition} at ${committed.get(partition) ?? -1} of ${high}`)
                .join(', ') +
              ')',
          );
        }
        await new Promise((resolve) => setTimeout(resolve, WAIT_FOR_GROUP_POLL_MS));
      }
    } catch (error) {
      if (error instanceof AppError) throw error;
      throw toBusError(error, `wait for ${group} on ${topic}`, this.options.brokers);
    }
  }

  /**
   * `from: 'latest'`: the current high watermark of every partition the group has no committed
   * offset for (a group that committed before continues from there).
   */
  private async latestStart(admin: Admin, groupId: string, topic: string): Promise<Map<number, string>> {
    const [committed, watermarks] = await Promise.all([
      admin.fetchOffsets({ groupId, topics: [topic] }),
      admin.fetchTopicOffsets(topic),
    ]);
    const hasCommitted = new Set(
      (committed.find((entry) => entry.topic === topic)?.partitions ?? [])
        .filter((partition) => Number(partition.offset) >= 0)
        .map((partition) => partition.partition),
    );
    return new Map(
      watermarks
        .filter((watermark) => !hasCommitted.has(watermark.partition))
        .map(({ partition, high }) => [partition, high]),
    );
  }

  /**
   * kafkajs found a member's position out of range and restarted the partition at the earliest
   * retained offset (fromBeginning, see KafkaSubscription): counted and logged once, as a warning,
   * because the messages between that position and the earliest retained one are gone unhandled
   * (retention) or were never this topic's (recreated topic).
   */
  private onOffsetReset({ topic, partition, groupId, memberId }: OffsetReset): void {
    const group = this.groups.get(groupId) ?? groupId;
    this.options.metrics?.countOffsetResets(topic, group, 1);
    this.logger.warn(
      { topic, partition, group, kafkaGroupId: groupId, memberId },
      `kafka consumer position out of range on ${topic} partition ${partition} (group ${group}): ` +
        'restarting at the earliest retained offset (what retention deleted before the group handled it is lost; ' +
        'a recreated topic is read from its start)',
    );
  }

  private requireConnected(): Connected {
    if (this.state !== 'connected' || !this.connected) {
      throw new AppError(
        'SERVICE_UNAVAILABLE',
        `the kafka bus is ${this.state === 'new' ? 'not connected' : 'closed'}`,
      );
    }
    return this.connected;
  }

  /** One produce request for everything coalesced, unless one publish alone exceeds the limits. */
  private async send(batches: TopicBatch[]): Promise<void> {
    const { producer } = this.requireConnected();
    const messages = batches.flatMap((batch) => batch.messages);
    const bytes = messages.reduce((sum, message) => sum + sizeOf(message), 0);
    if (messages.length <= this.limits.messages && bytes <= this.limits.bytes) {
      await producer.sendBatch(batches);
      return;
    }
    for (const { topic, messages: list } of batches) {
      for (const chunk of chunks(list, this.limits)) await producer.send(topic, chunk);
    }
  }
}
