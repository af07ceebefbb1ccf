import { startKafkaMock, uniqueName } from '@contextforge/testing';
import type { KafkaMock } from '@contextforge/testing';
import type { KafkaMessageBusOptions } from '../../src/kafka/kafka-options';

/**
 * The cluster for Kafka tests: KAFKA_BROKERS (comma list) when set, else a librdkafka mock
 * cluster started for the test file. Call from the file's top level (registers beforeAll/afterAll).
 */
export function useKafkaCluster(): {
  brokers: () => string[];
  /** True on librdkafka's mock (no KAFKA_BROKERS), whose quirks some tests assert; known before beforeAll. */
  isMock: () => boolean;
  busOptions: (overrides?: Partial<KafkaMessageBusOptions>) => KafkaMessageBusOptions;
} {
  let mock: KafkaMock | undefined;
  let brokers: string[] = [];
  const fromEnv = process.env['KAFKA_BROKERS'];

  beforeAll(async () => {
    if (fromEnv) {
      brokers = fromEnv.split(',').map((broker) => broker.trim());
    } else {
      mock = await startKafkaMock({ brokers: 3 });
      brokers = mock.brokers;
    }
  });

  afterAll(async () => {
    await mock?.stop();
  });

  return {
    brokers: () => brokers,
    isMock: () => !fromEnv,
    busOptions: (overrides = {}) => ({
      brokers,
      clientId: uniqueName('test'),
      maxWaitTimeMs: 10,
      sessionTimeoutMs: 6_000,
      retry: { maxRetries: 2, initialDelayMs: 5, maxDelayMs: 50 },
      // kafkajs cannot get a producer id from the mock (it asks controller 0, no such broker).
      idempotent: Boolean(fromEnv),
      ...overrides,
    }),
  };
}
