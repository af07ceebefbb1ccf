import type { CommonBusOptions } from '../bus-options';

export interface KafkaMessageBusOptions extends CommonBusOptions {
  /** Bootstrap brokers, `host:port`. */
  brokers: string[];
  /** kafkajs client id (default "contextforge"). */
  clientId?: string;
  /**
   * Longest a fetch waits for data (default 100 ms). Real Kafka answers as soon as data arrives;
   * some test brokers (librdkafka's mock) always wait the full time, so tests set it low.
   */
  maxWaitTimeMs?: number;
  /** Group session timeout (default 10,000 ms): how long a dead member keeps its partitions. */
  sessionTimeoutMs?: number;
  /** Heartbeat interval (default 1,000 ms); must be well below sessionTimeoutMs. */
  heartbeatIntervalMs?: number;
  /** How long subscribe() waits for the group join (default 60,000 ms). */
  joinTimeoutMs?: number;
  /** Connection timeout per broker (default 3,000 ms). */
  connectionTimeoutMs?: number;
  /**
   * Topics to create or check at connect (default none), e.g. `busTopics(prefix)`: with
   * `createTopics: false` connect fails naming those missing. Other topics are handled the same
   * way on first use.
   */
  topics?: readonly string[];
  /**
   * true (default): create missing topics with `partitions` and `replicationFactor` (see
   * KafkaTopics). false: never create topics (nor let produce or fetch auto-create them); a
   * missing topic is CONFIG_INVALID, at connect for `topics`.
   */
  createTopics?: boolean;
  /** Partitions of topics this bus creates (default 4); the broker's default where it creates them. */
  partitions?: number;
  /**
   * Partitions one member handles at the same time (default 1); each still one batch at a time.
   * Measured on the librdkafka mock with a commit after every batch, as this bus does: with 4, the
   * end-to-end delivery latency of tasks.events under load was p50 59 ms / p90 2 s, with 1 it was
   * p50 14 ms / p90 76 ms (the scheduler frees an agent slot only when it sees the outcome).
   */
  partitionsConsumedConcurrently?: number;
  /**
   * How long an idle producer waits after a publish before it sends (default 0: at once), so that
   * publishes made meanwhile share the request (see PublishCoalescer).
   */
  lingerMs?: number;
  /** Replication factor of topics this bus creates (default: the broker's default). */
  replicationFactor?: number;
  /**
   * true (default): an idempotent producer; connect fails with CONFIG_INVALID where the cluster
   * grants no producer id (librdkafka's mock, through kafkajs). false: a plain producer. Both send
   * with acks -1 and one request in flight (see KafkaProducer).
   */
  idempotent?: boolean;
}

/**
 * The Kafka consumer group id of a port-level (group, topic) subscription. The port's groups are per
 * topic; one Kafka group spanning several topics would hand a member partitions of topics it never
 * subscribed to (which kafkajs drops).
 */
export function kafkaGroupId(group: string, topic: string): string {
  return `${group}.${topic}`;
}
