import { AppError } from '@contextforge/contracts';
import { KafkaJSConnectionError, KafkaJSNonRetriableError } from 'kafkajs';
import type { Kafka, Producer, ProducerConfig } from 'kafkajs';
import { recordingLogger } from '../../test/support/recording-logger';
import { ACKS_ALL, KafkaProducer, type KafkaProducerSettings } from './kafka-producer';

interface FakeProducer {
  id: number;
  config: ProducerConfig;
  connected: boolean;
  sent: Array<{ acks: number | undefined }>;
}

/** A Kafka whose producers connect (or fail) and send (or fail) as the test says. */
function fakeKafka(behaviour: {
  connect?: (id: number) => Promise<void>;
  send?: (id: number) => Promise<void>;
}) {
  const producers: FakeProducer[] = [];
  const kafka = {
    producer: (config: ProducerConfig) => {
      const state: FakeProducer = { id: producers.length + 1, config, connected: false, sent: [] };
      producers.push(state);
      const send = async (request: { acks?: number }) => {
        state.sent.push({ acks: request.acks });
        await behaviour.send?.(state.id);
        return [];
      };
      return {
        connect: async () => {
          await behaviour.connect?.(state.id);
          state.connected = true;
        },
        disconnect: async () => {
          state.connected = false;
        },
        send,
        sendBatch: send,
      } as unknown as Producer;
    },
  };
  return { kafka: kafka as Pick<Kafka, 'producer'>, producers };
}

const settings = (overrides: Partial<KafkaProducerSettings> = {}): KafkaProducerSettings => ({
  idempotent: true,
  allowAutoTopicCreation: true,
  brokers: ['k1:9092'],
  controllerProblem: async () => undefined,
  ...overrides,
});

/** The kafkajs error a retrier bails with, `cause` set (its typings lack the option). */
function bailed(cause: Error): Error {
  const Wrapper = KafkaJSNonRetriableError as unknown as new (e: Error, options: { cause: Error }) => Error;
  return new Wrapper(cause, { cause });
}

describe('KafkaProducer', () => {
  it.each([true, false])(
    'creates the producer with idempotent %s, one request in flight and bounded retries; sends with acks -1',
    async (idempotent) => {
      const { kafka, producers } = fakeKafka({});
      const producer = await KafkaProducer.connect(kafka, settings({ idempotent }), recordingLogger());
      await producer.sendBatch([{ topic: 't', messages: [{ key: 'k', value: '1' }] }]);
      await producer.send('t', [{ key: 'k', value: '2' }]);

      expect(producers).toHaveLength(1);
      expect(producers[0]?.config).toMatchObject({
        idempotent,
        maxInFlightRequests: 1,
        allowAutoTopicCreation: true,
        retry: { retries: 5 },
      });
      expect(producers[0]?.sent).toEqual([{ acks: ACKS_ALL }, { acks: ACKS_ALL }]);
    },
  );

  it('fails connect with CONFIG_INVALID saying to set idempotent false when the cluster grants no producer id', async () => {
    const notFound = Object.assign(new Error('Broker 0 not found in the cached metadata'), {
      name: 'KafkaJSBrokerNotFound',
    });
    const { kafka, producers } = fakeKafka({
      connect: async () => {
        throw bailed(notFound);
      },
    });
    const failure = await KafkaProducer.connect(
      kafka,
      settings({
        controllerProblem: async () => 'the cluster names controller 0, which is none of brokers 1,2,3',
      }),
      recordingLogger(),
    ).then(
      () => undefined,
      (error: unknown) => error,
    );

    expect(failure).toBeInstanceOf(AppError);
    expect(failure).toMatchObject({ code: 'CONFIG_INVALID', retryable: false });
    expect((failure as AppError).message).toBe(
      'kafka connect failed (brokers k1:9092): the cluster granted the idempotent producer no producer id ' +
        '(InitProducerId: Broker 0 not found in the cached metadata; the cluster names controller 0, which is ' +
        'none of brokers 1,2,3). Set coordinator.queue.idempotent to false for a plain producer (acks -1, but ' +
        'no broker-side de-duplication of retried sends), or let the cluster grant one (Kafka 0.11+, ' +
        'IdempotentWrite permission)',
    );
    // Never a plain producer instead.
    expect(producers).toHaveLength(1);
    expect(producers[0]?.connected).toBe(false);
  });

  it('reports an unreachable cluster as SERVICE_UNAVAILABLE, not as refused idempotence', async () => {
    const { kafka } = fakeKafka({
      connect: async () => {
        throw new KafkaJSConnectionError('Connection timeout');
      },
    });
    await expect(KafkaProducer.connect(kafka, settings(), recordingLogger())).rejects.toMatchObject({
      code: 'SERVICE_UNAVAILABLE',
    });
  });

  it('replaces an idempotent producer after a failed send, before the next send', async () => {
    let failNext = false;
    const { kafka, producers } = fakeKafka({
      send: async () => {
        if (failNext) {
          failNext = false;
          throw new Error('request timed out');
        }
      },
    });
    const logger = recordingLogger();
    const producer = await KafkaProducer.connect(kafka, settings(), logger);
    failNext = true;
    await expect(producer.send('t', [{ key: 'k', value: '1' }])).rejects.toThrow('request timed out');
    expect(producers).toHaveLength(1);

    await producer.send('t', [{ key: 'k', value: '1' }]);
    expect(producers).toHaveLength(2);
    expect(producers.map((entry) => [entry.connected, entry.sent.length])).toEqual([
      [false, 1],
      [true, 1],
    ]);
    expect(logger.entries.map((entry) => entry.message)).toEqual([
      'kafka idempotent producer replaced after a failed send (new producer id)',
    ]);
  });

  it('keeps a plain producer after a failed send', async () => {
    let fail = true;
    const { kafka, producers } = fakeKafka({
      send: async () => {
        if (fail) throw new Error('request timed out');
      },
    });
    const producer = await KafkaProducer.connect(kafka, settings({ idempotent: false }), recordingLogger());
    await expect(producer.send('t', [])).rejects.toThrow();
    fail = false;
    await producer.send('t', []);
    expect(producers).toHaveLength(1);
  });
});
