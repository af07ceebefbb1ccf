import { AppError } from '@contextforge/contracts';
import { Partitioners } from 'kafkajs';
import type { Kafka, Message, Producer, ProducerConfig } from 'kafkajs';
import type { BusLogger } from '../bus-options';
import { kafkaErrorNames, toBusError } from './kafka-errors';
import type { TopicBatch } from './publish-coalescer';

export interface KafkaProducerSettings {
  /** kafkajs's idempotent producer (needs a producer id from the cluster), or a plain one. */
  idempotent: boolean;
  allowAutoTopicCreation: boolean;
  brokers: readonly string[];
  /** Why the cluster has no reachable controller, if it has none (see controllerProblem). */
  controllerProblem: () => Promise<string | undefined>;
}

/**
 * Acks from all in-sync replicas on every send: what publish promises, and the only setting an
 * idempotent kafkajs producer accepts.
 */
export const ACKS_ALL = -1;

/** Connection-level failures: the cluster was not reachable, which says nothing about idempotence. */
const UNREACHABLE = new Set([
  'KafkaJSConnectionError',
  'KafkaJSConnectionClosedError',
  'KafkaJSRequestTimeoutError',
]);

/**
 * The bus's one producer, idempotent or not as configured, never silently the other:
 *
 * - Both: acks -1 and one request in flight (an idempotent kafkajs producer requires both; for a
 *   plain one a single request in flight keeps a retried request from overtaking the next), 5
 *   retries with backoff, so that a publish fails in bounded time.
 * - Idempotent: connect gets a producer id (InitProducerId, which kafkajs sends to the
 *   controller); a cluster that grants none fails connect with CONFIG_INVALID saying to set
 *   `coordinator.queue.idempotent: false`. After a failed send the producer is replaced (a new
 *   producer id) before the next send: kafkajs rolls back the sequence numbers of a failed
 *   request, and if that request did land, reusing them for other messages would make the broker
 *   drop those as duplicates or refuse the partition with OUT_OF_ORDER_SEQUENCE_NUMBER. (The Java
 *   producer bumps its epoch for the same reason; kafkajs has no such step.) Bounded retries are
 *   safe for the same reason, which kafkajs's start-up warning about them does not know.
 *
 * Sends must not overlap (PublishCoalescer keeps one request at a time).
 */
export class KafkaProducer {
  private stale = false;

  private constructor(
    private readonly create: () => Producer,
    private producer: Producer,
    private readonly settings: KafkaProducerSettings,
    private readonly logger: BusLogger,
  ) {}

  static async connect(
    kafka: Pick<Kafka, 'producer'>,
    settings: KafkaProducerSettings,
    logger: BusLogger,
  ): Promise<KafkaProducer> {
    const config: ProducerConfig = {
      createPartitioner: Partitioners.DefaultPartitioner,
      allowAutoTopicCreation: settings.allowAutoTopicCreation,
      idempotent: settings.idempotent,
      maxInFlightRequests: 1,
      retry: { initialRetryTime: 100, retries: 5 },
    };
    const create = (): Producer => kafka.producer(config);
    const producer = create();
    try {
      await producer.connect();
    } catch (error) {
      await producer.disconnect().catch(() => undefined);
      throw settings.idempotent ? await idempotenceFailure(error, settings) : error;
    }
    return new KafkaProducer(create, producer, settings, logger);
  }

  sendBatch(topicMessages: TopicBatch[]): Promise<void> {
    return this.run((producer) => producer.sendBatch({ topicMessages, acks: ACKS_ALL }));
  }

  send(topic: string, messages: Message[]): Promise<void> {
    return this.run((producer) => producer.send({ topic, messages, acks: ACKS_ALL }));
  }

  disconnect(): Promise<void> {
    return this.producer.disconnect();
  }

  private async run(send: (producer: Producer) => Promise<unknown>): Promise<void> {
    if (this.stale) await this.replace();
    try {
      await send(this.producer);
    } catch (error) {
      if (this.settings.idempotent) this.stale = true;
      throw error;
    }
  }

  /** A new idempotent producer (new producer id, sequences from 0); if it cannot connect, the send fails. */
  private async replace(): Promise<void> {
    const next = this.create();
    try {
      await next.connect();
    } catch (error) {
      await next.disconnect().catch(() => undefined);
      throw error;
    }
    const previous = this.producer;
    this.producer = next;
    this.stale = false;
    this.logger.info(
      { brokers: this.settings.brokers },
      'kafka idempotent producer replaced after a failed send (new producer id)',
    );
    await previous.disconnect().catch(() => undefined);
  }
}

async function idempotenceFailure(error: unknown, settings: KafkaProducerSettings): Promise<AppError> {
  const message = error instanceof Error ? error.message : String(error);
  if (kafkaErrorNames(error).some((name) => UNREACHABLE.has(name))) {
    return toBusError(error, 'connect of the idempotent producer', settings.brokers);
  }
  const controller = kafkaErrorNames(error).includes('KafkaJSBrokerNotFound')
    ? await settings.controllerProblem().catch(() => undefined)
    : undefined;
  return new AppError(
    'CONFIG_INVALID',
    `kafka connect failed (brokers ${settings.brokers.join(',')}): the cluster granted the idempotent ` +
      `producer no producer id (InitProducerId: ${message}${controller ? `; ${controller}` : ''}). ` +
      'Set coordinator.queue.idempotent to false for a plain producer (acks -1, but no broker-side ' +
      'de-duplication of retried sends), or let the cluster grant one (Kafka 0.11+, IdempotentWrite permission)',
    { cause: error, details: { brokers: [...settings.brokers], kafkaError: kafkaErrorNames(error)[0] } },
  );
}
