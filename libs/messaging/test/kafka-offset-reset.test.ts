import { MessageRecorder, uniqueName, waitFor } from '@contextforge/testing';
import { Kafka, logLevel } from 'kafkajs';
import type { BusMetrics } from '../src/bus-options';
import { KafkaMessageBus } from '../src/kafka/kafka-message-bus';
import { kafkaGroupId } from '../src/kafka/kafka-options';
import { useKafkaCluster } from './support/kafka-test-env';
import { recordingLogger } from './support/recording-logger';

const cluster = useKafkaCluster();
const WAIT_MS = 30_000;
const PARTITIONS = [0, 1, 2, 3];

/** Offset resets as the bus reports them, per "topic|group". */
function recordingMetrics(): BusMetrics & { resets: Map<string, number> } {
  const resets = new Map<string, number>();
  return {
    resets,
    setConsumerLag: () => undefined,
    countOffsetResets: (topic, group, count) => {
      const key = `${topic}|${group}`;
      resets.set(key, (resets.get(key) ?? 0) + count);
    },
  };
}

/**
 * Commits `offset` for every partition of `topic` in a Kafka group, the way kafkajs's
 * admin.setOffsets does (which needs DescribeGroups, which the mock lacks): a member that joins,
 * pauses the topic before its first fetch, commits and leaves.
 */
async function commitOffsets(groupId: string, topic: string, offset: string): Promise<void> {
  const raw = new Kafka({
    clientId: uniqueName('committer'),
    brokers: cluster.brokers(),
    logLevel: logLevel.NOTHING,
  });
  // The mock keeps a member that left until its session times out: keep that short.
  const consumer = raw.consumer({ groupId, maxWaitTimeInMs: 10, sessionTimeout: 6_000 });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic] });
    const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
    const running = consumer.run({ autoCommit: false, eachBatch: async () => undefined });
    consumer.pause([{ topic }]);
    await running;
    await joined;
    await consumer.commitOffsets(PARTITIONS.map((partition) => ({ topic, partition, offset })));
  } finally {
    await consumer.disconnect();
  }
}

/** A consumer whose committed position is out of range restarts at the earliest offset, counted and logged. */
describe('KafkaMessageBus and out-of-range positions', () => {
  it.each(['earliest', 'latest'] as const)(
    "restarts from the earliest offset (from: '%s'), counts each partition's reset and warns once per partition",
    async (from) => {
      const metrics = recordingMetrics();
      const logger = recordingLogger();
      const bus = new KafkaMessageBus(cluster.busOptions({ metrics, logger }));
      await bus.connect();
      try {
        const topic = uniqueName('out-of-range');
        const group = uniqueName('durable');
        await bus.publish(
          topic,
          Array.from({ length: 12 }, (_, index) => ({ key: `k${index}`, value: index })),
        );
        // Beyond every partition's high watermark, like a position retention or a recreated topic left behind.
        await commitOffsets(kafkaGroupId(group, topic), topic, '1000');

        const recorder = new MessageRecorder();
        const subscription = await bus.subscribe({ topic, group, from, handler: recorder.handler });
        try {
          await recorder.untilCount(12, WAIT_MS, 'every message from the earliest offset');
          expect(recorder.values<number>().sort((a, b) => a - b)).toEqual(
            Array.from({ length: 12 }, (_, index) => index),
          );
          await waitFor(() => metrics.resets.get(`${topic}|${group}`) === PARTITIONS.length, {
            timeoutMs: WAIT_MS,
            label: 'a reset counted per partition',
          });
        } finally {
          await subscription.close();
        }

        const warnings = logger.entries.filter((entry) => entry.level === 'warn');
        expect(warnings.map((entry) => entry.fields['partition']).sort()).toEqual(PARTITIONS);
        expect(warnings[0]).toMatchObject({
          fields: { topic, group, kafkaGroupId: kafkaGroupId(group, topic) },
          message: expect.stringMatching(
            /^kafka consumer position out of range on .* restarting at the earliest/,
          ),
        });
        // kafkajs's own error lines about it are replaced by those warnings.
        expect(logger.entries.filter((entry) => entry.level === 'error')).toEqual([]);
      } finally {
        await bus.close();
      }
    },
  );
});
