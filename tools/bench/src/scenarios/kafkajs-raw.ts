import {
  DEFAULT_MAX_ATTEMPTS,
  DEFAULT_TASK_PRIORITY,
  DEFAULT_TASK_TIMEOUT_MS,
  type TaskSubmittedMessage,
} from '@contextforge/contracts';
import { startKafkaMock, uniqueName, withTimeout } from '@contextforge/testing';
import { Kafka, Partitioners, logLevel, type Consumer, type Message, type Producer } from 'kafkajs';
import { randomBytes, randomUUID } from 'node:crypto';
import type { Figure, Scenario } from '../scenario';
import { perSecond } from '../stats';
import { CompletionCounter } from '../support/completion-counter';
import { workloadSizes } from '../support/workload-sizes';

/**
 * The floor under our Kafka path: kafkajs alone, no product code, on the same brokers (the Kafka
 * mock, or KAFKA_BROKERS). As many messages as tasks in the throughput run, each shaped and sized
 * like a `tasks.submitted` message (a task as JSON, keyed by its id, with a traceparent header),
 * produced in batches of the batch size with the product's producer settings (idempotent,
 * acks -1), consumed by one consumer with the product's consumer settings (100 ms max wait, 4
 * partitions at once, eachBatch). Phase 1 produces while the consumer runs (end to end); phase 2
 * reads the same messages with a fresh group (consume alone).
 */
export const kafkajsRaw: Scenario = {
  id: 'kafkajs-raw',
  title: 'kafkajs raw floor (no product code)',
  run: async (ctx) => {
    const sizes = workloadSizes(ctx.smoke);
    const cleanup: Array<() => Promise<void>> = [];
    try {
      let brokers = process.env['KAFKA_BROKERS']?.split(',').filter(Boolean) ?? [];
      if (brokers.length === 0) {
        const mock = await startKafkaMock({ brokers: 3 });
        cleanup.push(() => mock.stop());
        brokers = mock.brokers;
      }
      const kafka = new Kafka({ clientId: 'contextforge-bench-raw', brokers, logLevel: logLevel.NOTHING });
      const topic = uniqueName('contextforge-bench-raw');
      await createTopic(kafka, topic);
      const producer = await connectProducer(kafka);
      cleanup.push(() => producer.disconnect());

      const messages = taskMessages(sizes.tasks);
      const bytes = messages.reduce((sum, message) => sum + String(message.value).length, 0);
      ctx.log(`  ${sizes.tasks} messages of ~${Math.round(bytes / sizes.tasks)} bytes`);

      const live = new CompletionCounter();
      const liveConsumer = await joinedConsumer(kafka, `${topic}.live`, topic, live);
      cleanup.push(() => liveConsumer.consumer.disconnect());
      const consumedAll = live.reach(sizes.tasks, 60_000 + sizes.tasks * 10, 'the live consumer');
      consumedAll.catch(() => undefined);
      const started = performance.now();
      for (let first = 0; first < messages.length; first += sizes.batchSize) {
        await producer.send({ topic, messages: messages.slice(first, first + sizes.batchSize), acks: -1 });
      }
      const produced = performance.now();
      const ended = await consumedAll;

      const replay = new CompletionCounter();
      const replayConsumer = await joinedConsumer(kafka, `${topic}.replay`, topic, replay);
      cleanup.push(() => replayConsumer.consumer.disconnect());
      const replayEnded = await replay.reach(sizes.tasks, 60_000 + sizes.tasks * 10, 'the replay consumer');

      const figures: Figure[] = [
        {
          id: 'kafkajs.produce',
          label: `produce, ${sizes.tasks} task-sized messages in batches of ${sizes.batchSize}, acks -1`,
          value: perSecond(sizes.tasks, produced - started),
          unit: 'msg/s',
        },
        {
          id: 'kafkajs.consume',
          label: 'consume alone, one consumer (group joined -> last message)',
          value: perSecond(sizes.tasks, replayEnded - replayConsumer.joinedAt),
          unit: 'msg/s',
        },
        {
          id: 'kafkajs.end-to-end',
          label: 'end to end, first produce -> last consumed, one consumer',
          value: perSecond(sizes.tasks, ended - started),
          unit: 'msg/s',
        },
      ];
      return figures;
    } finally {
      for (const step of cleanup.reverse()) await step().catch(() => undefined);
    }
  },
};

/** Messages like the result-store's `tasks.submitted`: `{ task }` keyed by the task id. */
function taskMessages(count: number): Message[] {
  const run = randomUUID();
  const createdAt = new Date().toISOString();
  return Array.from({ length: count }, (_, n) => {
    const value: TaskSubmittedMessage = {
      task: {
        id: randomUUID(),
        clientId: 'dev-client',
        type: 'echo',
        input: { run, phase: 'throughput', n },
        priority: DEFAULT_TASK_PRIORITY,
        requiredCapabilities: [],
        timeoutMs: DEFAULT_TASK_TIMEOUT_MS,
        maxAttempts: DEFAULT_MAX_ATTEMPTS,
        createdAt,
      },
    };
    const traceparent = `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-01`;
    return { key: value.task.id, value: JSON.stringify(value), headers: { traceparent } };
  });
}

/** CreateTopics, or (the mock does not implement it) a metadata request, which auto-creates. */
async function createTopic(kafka: Kafka, topic: string): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({ topics: [{ topic, numPartitions: 4 }], waitForLeaders: true });
  } catch {
    await admin.fetchTopicMetadata({ topics: [topic] });
  } finally {
    await admin.disconnect();
  }
}

/** As the product's Kafka bus: idempotent where the broker grants a producer id, else plain. */
async function connectProducer(kafka: Kafka): Promise<Producer> {
  const common = { createPartitioner: Partitioners.DefaultPartitioner, allowAutoTopicCreation: true };
  const idempotent = kafka.producer({ ...common, idempotent: true, maxInFlightRequests: 1 });
  try {
    await idempotent.connect();
    return idempotent;
  } catch {
    await idempotent.disconnect().catch(() => undefined);
  }
  const plain = kafka.producer(common);
  await plain.connect();
  return plain;
}

/** A consumer counting messages into `counter`, resolved once it joined its group. */
async function joinedConsumer(
  kafka: Kafka,
  groupId: string,
  topic: string,
  counter: CompletionCounter,
): Promise<{ consumer: Consumer; joinedAt: number }> {
  const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 100, sessionTimeout: 10_000 });
  const joined = new Promise<number>((resolve) =>
    consumer.on(consumer.events.GROUP_JOIN, () => resolve(performance.now())),
  );
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    partitionsConsumedConcurrently: 4,
    eachBatch: async ({ batch }) => counter.add(batch.messages.length),
  });
  return { consumer, joinedAt: await withTimeout(joined, 60_000, `consumer group ${groupId} to join`) };
}
