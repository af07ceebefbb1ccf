import { AppError } from '@contextforge/contracts';
import { uniqueName } from '@contextforge/testing';
import { Kafka, logLevel } from 'kafkajs';
import type { Admin } from 'kafkajs';
import { KafkaMessageBus } from '../src/kafka/kafka-message-bus';
import { useKafkaCluster } from './support/kafka-test-env';
import { recordingLogger } from './support/recording-logger';

const cluster = useKafkaCluster();

/** What connect() does about topics, on a real Kafka-protocol cluster (the mock unless KAFKA_BROKERS). */
describe('KafkaMessageBus connect', () => {
  let admin: Admin;
  const buses: KafkaMessageBus[] = [];

  beforeAll(async () => {
    admin = new Kafka({
      clientId: uniqueName('admin'),
      brokers: cluster.brokers(),
      logLevel: logLevel.NOTHING,
    }).admin();
    await admin.connect();
  });

  afterAll(async () => {
    await Promise.all(buses.map((bus) => bus.close()));
    await admin.disconnect();
  });

  const connect = async (...args: Parameters<typeof cluster.busOptions>): Promise<KafkaMessageBus> => {
    const bus = new KafkaMessageBus(cluster.busOptions(...args));
    buses.push(bus);
    await bus.connect();
    return bus;
  };

  it('makes the topics it is given exist at connect, saying at info how where CreateTopics cannot be sent', async () => {
    const topics = [uniqueName('given'), uniqueName('given')];
    const logger = recordingLogger();
    await connect({ topics, logger });

    expect(await admin.listTopics()).toEqual(expect.arrayContaining(topics));
    if (cluster.isMock()) {
      // The mock names controller 0 and lacks CreateTopics: its metadata request created them.
      const infos = logger.entries.filter((entry) => entry.level === 'info');
      expect(infos.map((entry) => entry.fields['topic']).sort()).toEqual([...topics].sort());
      expect(infos[0]?.message).toMatch(
        /CreateTopics cannot be sent \(.*controller 0, which is none of brokers/,
      );
      expect(infos[0]?.fields).toMatchObject({ partitions: 4, configuredPartitions: 4 });
    }
  });

  // kafkajs asks the controller for a producer id; the mock names controller 0, which is no broker
  // (the mock implements InitProducerId: librdkafka's own idempotent producer gets one from it).
  (cluster.isMock() ? it : it.skip)(
    'with idempotent true, fails at connect where the cluster grants no producer id, never downgrading',
    async () => {
      const logger = recordingLogger();
      const failure = await connect({ idempotent: true, logger }).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(failure).toBeInstanceOf(AppError);
      expect(failure).toMatchObject({ code: 'CONFIG_INVALID', retryable: false });
      expect((failure as AppError).message).toMatch(
        /no producer id \(InitProducerId: Broker 0 not found in the cached metadata; the cluster's metadata names controller 0, which is none of brokers .*\)\. Set coordinator\.queue\.idempotent to false/,
      );
      expect(logger.entries.filter((entry) => entry.level !== 'info')).toEqual([]);
    },
  );

  it('with createTopics false, fails at connect naming the missing topics and creates none', async () => {
    const existing = uniqueName('existing');
    await connect({ topics: [existing] });
    const missing = [uniqueName('missing'), uniqueName('missing')];

    const failure = await connect({ createTopics: false, topics: [existing, ...missing] }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(AppError);
    expect(failure).toMatchObject({
      code: 'CONFIG_INVALID',
      message: expect.stringContaining(`kafka topics missing: ${missing.join(', ')}.`),
      details: { missingTopics: missing },
    });
    expect(await admin.listTopics()).not.toEqual(expect.arrayContaining([missing[0]]));

    const checked = await connect({ createTopics: false, topics: [existing] });
    await checked.publish(existing, [{ key: 'k', value: 1 }]);
  });
});
