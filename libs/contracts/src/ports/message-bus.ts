/**
 * The messaging port: topics of keyed JSON messages with consumer groups.
 *
 * Semantics every adapter (memory, Kafka) guarantees, checked by the shared contract suite:
 * - publish resolves once the messages are durably accepted (Kafka: acks from all in-sync replicas).
 * - Every consumer group gets every message; within a group each message goes to one member.
 * - Messages with the same key are handled in publish order within a group.
 * - Delivery is at-least-once: a batch is acknowledged only when its handler resolves. A handler
 *   that throws a retryable error gets the batch again after a backoff; a message that keeps
 *   failing (or fails non-retryably, e.g. validation) is moved to `<topic>.dlq` with the error
 *   in headers, and the group goes on with the next message. Nothing is skipped silently and no
 *   poison message blocks its partition.
 * - A member that leaves (or dies) without acknowledging: its messages go to another member.
 * - A new group starts from the oldest retained message (unless it asks for `from: 'latest'`).
 * - A member whose committed position is no longer in its partition (retention deleted what it had
 *   not handled yet, or the topic was recreated) restarts at the oldest retained message, whatever
 *   `from` says: `from` only decides where a new group starts. Adapters count and log such resets.
 * - Every message has a size limit (its encoded key, value and headers; default 1,000,000 bytes):
 *   publish rejects a call holding a larger message with MESSAGE_TOO_LARGE (not retryable) and
 *   publishes none of that call's messages.
 *
 * Left out deliberately: transactions/exactly-once (handlers are idempotent instead), message
 * deletion, and per-message acknowledgement out of order (ack is per batch, in order).
 */
export interface OutgoingMessage {
  /** Partitioning key; the task id for task messages. */
  key: string;
  /** Any JSON-serialisable value. */
  value: unknown;
  headers?: Record<string, string>;
}

export interface BusMessage {
  topic: string;
  key: string;
  /** Parsed JSON; consumers validate it against a schema before use. */
  value: unknown;
  headers: Record<string, string>;
  /** Position in the topic's partition, for logs. */
  partition: number;
  offset: string;
}

export type BatchHandler = (messages: readonly BusMessage[]) => Promise<void>;

export interface SubscribeOptions {
  topic: string;
  group: string;
  handler: BatchHandler;
  /** Largest batch handed to the handler (default 100). */
  maxBatchSize?: number;
  /**
   * Where a group with no committed position starts: `earliest` (the default, see above) or
   * `latest` (only messages published after the member joined: for per-replica broadcast groups
   * that feed live views, such as the gateway's streams, which read history elsewhere).
   */
  from?: 'earliest' | 'latest';
  /**
   * Partitions this member hands to `handler` at the same time (default: the bus's setting, 1);
   * each partition still one batch at a time, in order. For handlers that combine concurrent
   * batches themselves (group commit).
   */
  concurrency?: number;
}

export interface Subscription {
  /** Stops consuming: waits for the batch in hand, leaves the group. */
  close(): Promise<void>;
}

export interface MessageBus {
  connect(): Promise<void>;
  publish(topic: string, messages: readonly OutgoingMessage[]): Promise<void>;
  /** Resolves once the member has joined its group and will receive messages. */
  subscribe(options: SubscribeOptions): Promise<Subscription>;
  /**
   * Resolves once `group` has acknowledged, on every partition of `topic`, every message published
   * before the call: its committed offsets reach the high watermarks read when called. For a
   * process about to read state that another group derives from the topic (a new scheduler leader
   * adopting tasks from the result-store, which must not be behind the task events). Rejects with
   * SERVICE_UNAVAILABLE after `timeoutMs` (default 60 s), naming the partitions still behind.
   */
  waitForGroup(group: string, topic: string, options?: WaitForGroupOptions): Promise<void>;
  /** Closes every subscription, then the connections. */
  close(): Promise<void>;
}

export interface WaitForGroupOptions {
  timeoutMs?: number;
}
