import { AppError, deadLetterTopic } from '@contextforge/contracts';
import type {
  BusMessage,
  MessageBus,
  OutgoingMessage,
  SubscribeOptions,
  Subscription,
  WaitForGroupOptions,
} from '@contextforge/contracts';
import { processBatch } from '../batch-processor';
import {
  DEFAULT_WAIT_FOR_GROUP_MS,
  resolveMaxMessageBytes,
  resolveRetryPolicy,
  SILENT_LOGGER,
} from '../bus-options';
import type { BusLogger, BusMetrics, CommonBusOptions, RetryPolicy } from '../bus-options';
import { toDeadLetter } from '../dead-letter';
import { decodeValue, encodeMessage } from '../message-codec';
import { partitionForKey } from '../partitioner';
import { MemoryGroup, MemoryMember } from './memory-group';
import { PartitionLog } from './partition-log';
import type { StoredMessage } from './partition-log';

export interface MemoryMessageBusOptions extends CommonBusOptions {
  /** Partitions per topic (default 4); keys are hashed onto them. */
  partitions?: number;
}

export const DEFAULT_MEMORY_PARTITIONS = 4;
export const DEFAULT_MAX_BATCH_SIZE = 100;

interface GroupWaiter {
  check(): void;
  fail(reason: string): void;
}

interface MemoryTopic {
  readonly name: string;
  readonly logs: PartitionLog[];
  readonly groups: Map<string, MemoryGroup>;
}

/**
 * The in-process MessageBus of the embedded mode and of service tests, with the port's semantics
 * (see MessageBus): partitioned topics, consumer groups, per-batch acknowledgement, retry with
 * backoff, isolation and dead-lettering to `<topic>.dlq` (shared with the Kafka adapter in
 * processBatch).
 *
 * Each partition is an append-only log, trimmed once every group of the topic has committed past
 * a prefix; a topic nobody subscribes to keeps everything (a new group starts at the oldest
 * retained message, or after the newest one with `from: 'latest'`). Handlers run asynchronously, never inside publish. Nothing is persisted:
 * a process restart loses every message, which the embedded mode accepts.
 *
 * Left out: retention by size or time, and a bound on producers outrunning consumers.
 */
export class MemoryMessageBus implements MessageBus {
  private readonly partitions: number;
  private readonly retry: RetryPolicy;
  private readonly logger: BusLogger;
  private readonly metrics: BusMetrics | undefined;
  private readonly maxMessageBytes: number;
  private readonly topics = new Map<string, MemoryTopic>();
  private readonly members = new Set<{ member: MemoryMember; close(): Promise<void> }>();
  private state: 'new' | 'connected' | 'closed' = 'new';
  private nextMemberId = 1;
  /** waitForGroup calls, checked after every commit. */
  private readonly waiters = new Set<GroupWaiter>();

  constructor(options: MemoryMessageBusOptions = {}) {
    this.partitions = options.partitions ?? DEFAULT_MEMORY_PARTITIONS;
    if (!Number.isInteger(this.partitions) || this.partitions < 1) {
      throw new RangeError(`partitions must be a positive integer, got ${this.partitions}`);
    }
    this.retry = resolveRetryPolicy(options.retry);
    this.logger = options.logger ?? SILENT_LOGGER;
    this.metrics = options.metrics;
    this.maxMessageBytes = resolveMaxMessageBytes(options.maxMessageBytes);
  }

  async connect(): Promise<void> {
    if (this.state === 'closed') throw new AppError('SERVICE_UNAVAILABLE', 'the memory bus is closed');
    this.state = 'connected';
  }

  async publish(topicName: string, messages: readonly OutgoingMessage[]): Promise<void> {
    this.assertConnected();
    this.append(topicName, messages);
  }

  async subscribe(options: SubscribeOptions): Promise<Subscription> {
    this.assertConnected();
    const maxBatchSize = options.maxBatchSize ?? DEFAULT_MAX_BATCH_SIZE;
    if (!Number.isInteger(maxBatchSize) || maxBatchSize < 1) {
      throw new RangeError(`maxBatchSize must be a positive integer, got ${maxBatchSize}`);
    }
    const topic = this.topic(options.topic);
    let group = topic.groups.get(options.group);
    if (!group) {
      const latest = options.from === 'latest';
      group = new MemoryGroup(
        options.group,
        topic.logs.map((log) => (latest ? log.endOffset : log.startOffset)),
      );
      topic.groups.set(options.group, group);
    }
    const member = new MemoryMember(this.nextMemberId++, options.handler, maxBatchSize);
    group.join(member);
    // Consumer lag and offset resets are Kafka figures (a memory log is trimmed only behind every
    // group, so no position falls out of range); the series exist here too (as 0) so dashboards
    // and alert rules see the same names in both modes.
    this.metrics?.setConsumerLag(options.topic, options.group, 0);
    this.metrics?.countOffsetResets(options.topic, options.group, 0);
    this.scheduleAll(topic, group);

    let closing: Promise<void> | undefined;
    const entry = {
      member,
      close: (): Promise<void> => {
        closing ??= this.leave(topic, group, member).finally(() => this.members.delete(entry));
        return closing;
      },
    };
    this.members.add(entry);
    return { close: entry.close };
  }

  async close(): Promise<void> {
    if (this.state === 'closed') return;
    this.state = 'closed';
    for (const waiter of [...this.waiters]) waiter.fail('the memory bus closed');
    await Promise.all([...this.members].map((entry) => entry.close()));
  }

  waitForGroup(groupName: string, topicName: string, options: WaitForGroupOptions = {}): Promise<void> {
    this.assertConnected();
    const topic = this.topic(topicName);
    const targets = topic.logs.map((log) => log.endOffset);
    const behind = (): number[] => {
      const group = topic.groups.get(groupName);
      return targets.flatMap((target, partition) => {
        const log = topic.logs[partition] as PartitionLog;
        const committed = group ? (group.committed[partition] as number) : log.startOffset;
        return committed < target ? [partition] : [];
      });
    };
    if (behind().length === 0) return Promise.resolve();
    const timeoutMs = options.timeoutMs ?? DEFAULT_WAIT_FOR_GROUP_MS;
    return new Promise<void>((resolve, reject) => {
      const waiter: GroupWaiter = {
        check: () => {
          if (behind().length > 0) return;
          settle();
          resolve();
        },
        fail: (reason) => {
          settle();
          reject(new AppError('SERVICE_UNAVAILABLE', reason));
        },
      };
      const timer = setTimeout(
        () =>
          waiter.fail(
            `group ${groupName} did not catch up with ${topicName} within ${timeoutMs} ms ` +
              `(partitions behind: ${behind().join(', ')})`,
          ),
        timeoutMs,
      );
      const settle = (): void => {
        clearTimeout(timer);
        this.waiters.delete(waiter);
      };
      this.waiters.add(waiter);
    });
  }

  private assertConnected(): void {
    if (this.state !== 'connected') {
      throw new AppError(
        'SERVICE_UNAVAILABLE',
        `the memory bus is ${this.state === 'new' ? 'not connected' : 'closed'}`,
      );
    }
  }

  private topic(name: string): MemoryTopic {
    let topic = this.topics.get(name);
    if (!topic) {
      const logs = Array.from({ length: this.partitions }, () => new PartitionLog());
      topic = { name, logs, groups: new Map() };
      this.topics.set(name, topic);
    }
    return topic;
  }

  /**
   * Validates and measures every message before appending any, so a bad or too large message
   * fails the whole call (as on Kafka, where nothing of the call is sent).
   */
  private append(topicName: string, messages: readonly OutgoingMessage[]): void {
    const stored: StoredMessage[] = messages.map((message) => {
      const { key, json, headers } = encodeMessage(topicName, message, this.maxMessageBytes);
      return { key, json, headers };
    });
    const topic = this.topic(topicName);
    const touched = new Set<number>();
    for (const message of stored) {
      const partition = partitionForKey(message.key, this.partitions);
      (topic.logs[partition] as PartitionLog).append(message);
      touched.add(partition);
    }
    for (const group of topic.groups.values()) {
      for (const partition of touched) this.schedule(topic, group, partition);
    }
  }

  private scheduleAll(topic: MemoryTopic, group: MemoryGroup): void {
    for (let partition = 0; partition < topic.logs.length; partition += 1)
      this.schedule(topic, group, partition);
  }

  /** Coalesces wake-ups: at most one pending pump per (group, partition), run on a later turn. */
  private schedule(topic: MemoryTopic, group: MemoryGroup, partition: number): void {
    if (group.busy[partition] || group.scheduled[partition]) return;
    group.scheduled[partition] = true;
    setImmediate(() => {
      group.scheduled[partition] = false;
      this.pump(topic, group, partition);
    });
  }

  /** Hands the next batch of `partition` to its owner, if there is one and nothing is in flight. */
  private pump(topic: MemoryTopic, group: MemoryGroup, partition: number): void {
    const member = group.owners[partition];
    const log = topic.logs[partition] as PartitionLog;
    const start = group.committed[partition] as number;
    if (this.state !== 'connected' || !member || group.busy[partition] || start >= log.endOffset) return;

    group.busy[partition] = true;
    const messages = log
      .read(start, start + member.maxBatchSize)
      .map((stored, index) => toBusMessage(topic.name, partition, start + index, stored));
    // Started on a later microtask so that `member.running` holds the batch before the handler
    // runs: a handler may close its own subscription, and close() must wait for this batch.
    const run = Promise.resolve()
      .then(() =>
        processBatch({
          messages,
          handler: member.handler,
          group: group.name,
          retry: this.retry,
          logger: this.logger,
          signal: member.abort.signal,
          isActive: () => !member.closed && group.owners[partition] === member,
          deadLetter: async (message, error, attempts, { omitValue }) => {
            const at = new Date();
            const dead = toDeadLetter(message, { group: group.name, error, attempts, at, omitValue });
            this.append(deadLetterTopic(topic.name), [dead]);
          },
        }),
      )
      .catch((error: unknown) => {
        this.logger.error({ topic: topic.name, group: group.name, partition, error }, 'bus batch crashed');
        return 0;
      })
      .then((finished) => {
        group.committed[partition] = start + finished;
        group.busy[partition] = false;
        for (const waiter of [...this.waiters]) waiter.check();
        this.trim(topic, partition);
        this.schedule(topic, group, partition);
      });
    member.running.add(run);
    void run.finally(() => member.running.delete(run));
  }

  private trim(topic: MemoryTopic, partition: number): void {
    let low = Infinity;
    for (const group of topic.groups.values()) low = Math.min(low, group.committed[partition] as number);
    if (low !== Infinity) (topic.logs[partition] as PartitionLog).trimTo(low);
  }

  private async leave(topic: MemoryTopic, group: MemoryGroup, member: MemoryMember): Promise<void> {
    member.closed = true;
    member.abort.abort();
    group.leave(member);
    this.scheduleAll(topic, group);
    await Promise.all([...member.running]);
  }
}

function toBusMessage(topic: string, partition: number, offset: number, stored: StoredMessage): BusMessage {
  return {
    topic,
    key: stored.key,
    value: decodeValue(stored.json),
    headers: { ...stored.headers },
    partition,
    offset: String(offset),
  };
}
