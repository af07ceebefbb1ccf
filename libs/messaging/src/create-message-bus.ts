import { AppError } from '@contextforge/contracts';
import type { MessageBus } from '@contextforge/contracts';
import type { CommonBusOptions } from './bus-options';
import type { KafkaMessageBusOptions } from './kafka/kafka-options';
import { MemoryMessageBus } from './memory/memory-message-bus';
import type { MemoryMessageBusOptions } from './memory/memory-message-bus';

/** Options for createMessageBus; each adapter reads its own and ignores the other's. */
export interface MessageBusOptions extends CommonBusOptions {
  memory?: Omit<MemoryMessageBusOptions, keyof CommonBusOptions>;
  kafka?: Omit<KafkaMessageBusOptions, keyof CommonBusOptions | 'brokers'>;
}

/**
 * Builds the adapter a bus URL names (not yet connected; call connect()):
 * - `memory://` (anything after the scheme is ignored): MemoryMessageBus, in this process.
 * - `kafka://host:port[,host:port...]`: KafkaMessageBus on those bootstrap brokers. kafkajs is
 *   loaded only here, so the embedded mode never loads it.
 */
export async function createMessageBus(url: string, options: MessageBusOptions = {}): Promise<MessageBus> {
  const common: CommonBusOptions = {
    retry: options.retry,
    logger: options.logger,
    metrics: options.metrics,
    maxMessageBytes: options.maxMessageBytes,
  };
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(url)?.[1]?.toLowerCase();
  if (scheme === 'memory') return new MemoryMessageBus({ ...common, ...options.memory });
  if (scheme === 'kafka') {
    const brokers = parseKafkaBrokers(url);
    const { KafkaMessageBus } = await import('./kafka/kafka-message-bus');
    return new KafkaMessageBus({ ...common, ...options.kafka, brokers });
  }
  throw new AppError(
    'CONFIG_INVALID',
    `bus url ${JSON.stringify(url)}: expected memory:// or kafka://host:port[,host:port]`,
  );
}

/** `kafka://a:9092,b:9092/` -> ['a:9092', 'b:9092']. */
export function parseKafkaBrokers(url: string): string[] {
  const rest = url.replace(/^kafka:\/\//i, '').replace(/[/?#].*$/, '');
  const brokers = rest.split(',').map((broker) => broker.trim());
  const valid = brokers.every((broker) => /^(\[[0-9a-f:.]+\]|[a-z0-9._-]+):\d{1,5}$/i.test(broker));
  if (rest === '' || !valid) {
    throw new AppError(
      'CONFIG_INVALID',
      `bus url ${JSON.stringify(url)}: expected kafka://host:port[,host:port]`,
    );
  }
  return brokers;
}
