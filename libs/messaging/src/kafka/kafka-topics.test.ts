import { AppError } from '@contextforge/contracts';
import { KafkaJSBrokerNotFound, KafkaJSProtocolError } from 'kafkajs';
import type { Admin } from 'kafkajs';
import { recordingLogger } from '../../test/support/recording-logger';
import { controllerProblem, KafkaTopics, type KafkaTopicSettings } from './kafka-topics';

const BROKERS = [{ nodeId: 1 }, { nodeId: 2 }, { nodeId: 3 }].map((broker) => ({
  ...broker,
  host: '127.0.0.1',
  port: 9092 + broker.nodeId,
}));

/** The Admin calls KafkaTopics makes, answered from a set of existing topics. */
function fakeAdmin(
  options: { controller?: number; createTopics?: (topic: string) => Promise<boolean> } = {},
) {
  const existing = new Set<string>(['existing']);
  const calls: string[] = [];
  const admin = {
    describeCluster: async () => {
      calls.push('describeCluster');
      return { brokers: BROKERS, controller: options.controller ?? 1, clusterId: 'c' };
    },
    listTopics: async () => {
      calls.push('listTopics');
      return [...existing];
    },
    createTopics: jest.fn(async ({ topics }: { topics: Array<{ topic: string }> }) => {
      const topic = topics[0]?.topic ?? '';
      calls.push(`createTopics ${topic}`);
      if (options.createTopics) return options.createTopics(topic);
      if (existing.has(topic)) return false;
      existing.add(topic);
      return true;
    }),
    fetchTopicMetadata: async ({ topics }: { topics: string[] }) => {
      calls.push(`fetchTopicMetadata ${topics.join(',')}`);
      for (const topic of topics) existing.add(topic);
      const partitions = [0, 1, 2, 3].map((partitionId) => ({ partitionId, replicas: [1, 2, 3] }));
      return { topics: topics.map((name) => ({ name, partitions })) };
    },
  };
  return { admin: admin as unknown as Admin, calls, existing, createTopics: admin.createTopics };
}

const SETTINGS: KafkaTopicSettings = {
  create: true,
  partitions: 8,
  replicationFactor: 3,
  maxMessageBytes: 1_000_000,
};

/** What librdkafka's mock makes kafkajs throw: CreateTopics goes to controller 0, no such broker. */
const noSuchController = async (): Promise<boolean> => {
  // The typings declare no constructor arguments; kafkajs passes the message.
  const BrokerNotFound = KafkaJSBrokerNotFound as unknown as new (message: string) => Error;
  throw new BrokerNotFound('Broker 0 not found in the cached metadata');
};

async function failureOf(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}

describe('KafkaTopics creating topics', () => {
  it('creates each topic once with the configured partitions, replication and max.message.bytes', async () => {
    const { admin, createTopics } = fakeAdmin();
    const topics = new KafkaTopics(admin, SETTINGS, recordingLogger());
    await topics.prepare(['a', 'existing']);
    await topics.ensure('a');
    await topics.ensure('b');

    expect(createTopics).toHaveBeenCalledTimes(3);
    expect(createTopics.mock.calls[0]?.[0]).toEqual({
      topics: [
        {
          topic: 'a',
          numPartitions: 8,
          replicationFactor: 3,
          configEntries: [{ name: 'max.message.bytes', value: '1000000' }],
        },
      ],
      waitForLeaders: true,
    });
  });

  it("falls back to a metadata request only on the mock's failure, and logs at info what the broker made", async () => {
    const { admin, calls, existing } = fakeAdmin({ controller: 0, createTopics: noSuchController });
    const logger = recordingLogger();
    await new KafkaTopics(admin, SETTINGS, logger).prepare(['t']);

    expect(existing.has('t')).toBe(true);
    expect(calls).toEqual(['describeCluster', 'createTopics t', 'describeCluster', 'fetchTopicMetadata t']);
    expect(logger.entries).toEqual([
      {
        level: 'info',
        fields: {
          topic: 't',
          partitions: 4,
          replicas: 3,
          configuredPartitions: 8,
          configuredReplicationFactor: 3,
        },
        message:
          "kafka CreateTopics cannot be sent (the cluster's metadata names controller 0, which is none of " +
          "brokers 1,2,3; librdkafka's mock cluster does this): topic t was requested by a metadata request " +
          'and has 4 partitions, 3 replicas (not the configured 8 partitions)',
      },
    ]);
  });

  it('does not fall back when the controller is a known broker; the error names the topic', async () => {
    const { admin, calls } = fakeAdmin({ controller: 2, createTopics: noSuchController });
    const failure = await failureOf(new KafkaTopics(admin, SETTINGS, recordingLogger()).ensure('t'));
    expect(failure.code).toBe('SERVICE_UNAVAILABLE');
    expect(failure.message).toMatch(/^kafka could not create topic t \(8 partitions, replication factor 3\)/);
    expect(calls).not.toContain('fetchTopicMetadata t');
  });

  it('reports a refused CreateTopics as CONFIG_INVALID pointing at create_topics, and tries again later', async () => {
    let refuse = true;
    const { admin } = fakeAdmin({
      createTopics: async () => {
        if (!refuse) return true;
        throw new KafkaJSProtocolError({
          type: 'TOPIC_AUTHORIZATION_FAILED',
          code: 29,
          retriable: false,
          message: 'Not authorized to access topics: [Topic authorization failed]',
        } as never);
      },
    });
    const topics = new KafkaTopics(admin, SETTINGS, recordingLogger());
    const failure = await failureOf(topics.ensure('t'));
    expect(failure.code).toBe('CONFIG_INVALID');
    expect(failure.retryable).toBe(false);
    expect(failure.message).toContain('set coordinator.queue.create_topics to false');
    refuse = false;
    await expect(topics.ensure('t')).resolves.toBeUndefined();
  });

  it('warns at connect when created topics would be less replicated than the cluster allows', async () => {
    const logger = recordingLogger();
    await new KafkaTopics(fakeAdmin().admin, { ...SETTINGS, replicationFactor: 1 }, logger).prepare([]);
    expect(logger.entries).toMatchObject([
      { level: 'warn', message: expect.stringContaining('set coordinator.queue.replication_factor to 3') },
    ]);

    // Not where CreateTopics cannot be sent anyway (the broker picks the replication there).
    const mockLike = recordingLogger();
    await new KafkaTopics(
      fakeAdmin({ controller: 0 }).admin,
      { ...SETTINGS, replicationFactor: 1 },
      mockLike,
    ).prepare([]);
    expect(mockLike.entries).toEqual([]);
  });
});

describe('KafkaTopics checking topics (create: false)', () => {
  it('fails at prepare naming every missing topic, creating none', async () => {
    const { admin, calls, existing } = fakeAdmin();
    const topics = new KafkaTopics(admin, { ...SETTINGS, create: false }, recordingLogger());
    const failure = await failureOf(topics.prepare(['existing', 'a.tasks', 'a.tasks.dlq']));

    expect(failure.code).toBe('CONFIG_INVALID');
    expect(failure.message).toMatch(/^kafka topics missing: a\.tasks, a\.tasks\.dlq\. /);
    expect(failure.details).toEqual({ missingTopics: ['a.tasks', 'a.tasks.dlq'] });
    expect(calls).toEqual(['listTopics']);
    expect(existing.has('a.tasks')).toBe(false);
  });

  it('passes for existing topics and checks a topic first used later', async () => {
    const { admin, calls } = fakeAdmin();
    const topics = new KafkaTopics(admin, { ...SETTINGS, create: false }, recordingLogger());
    await topics.prepare(['existing']);
    await topics.ensure('existing');
    expect(calls).toEqual(['listTopics']);
    expect((await failureOf(topics.ensure('later'))).details).toEqual({ missingTopics: ['later'] });
  });
});

describe('controllerProblem', () => {
  it('is undefined for a known controller and says why otherwise', () => {
    expect(controllerProblem({ controller: 2, brokers: BROKERS })).toBeUndefined();
    expect(controllerProblem({ controller: null, brokers: BROKERS })).toBe(
      "the cluster's metadata names controller none, which is none of brokers 1,2,3",
    );
  });
});
