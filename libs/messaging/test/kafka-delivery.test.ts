import { spawn } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { AppError, DEAD_LETTER_HEADERS, deadLetterTopic } from '@contextforge/contracts';
import { MessageRecorder, deferred, uniqueName, waitFor, withTimeout } from '@contextforge/testing';
import { Kafka, logLevel } from 'kafkajs';
import type { Admin, KafkaMessage } from 'kafkajs';
import { KafkaMessageBus } from '../src/kafka/kafka-message-bus';
import { useKafkaCluster } from './support/kafka-test-env';
import { kafkaGroupId } from '../src/kafka/kafka-options';

const cluster = useKafkaCluster();
const WAIT_MS = 30_000;
const ROOT = path.resolve(__dirname, '../../..');

/** Kafka-specific behaviour beyond the contract suite: what lands on the wire and in the group's offsets. */
describe('KafkaMessageBus on a cluster', () => {
  let bus: KafkaMessageBus;
  let admin: Admin;
  let raw: Kafka;
  const cleanups: (() => Promise<void>)[] = [];

  beforeEach(async () => {
    bus = new KafkaMessageBus(cluster.busOptions());
    await bus.connect();
    raw = new Kafka({ clientId: uniqueName('raw'), brokers: cluster.brokers(), logLevel: logLevel.NOTHING });
    admin = raw.admin();
    await admin.connect();
  });

  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    await bus.close();
    await admin.disconnect();
  });

  const committedOffsets = async (group: string, topic: string): Promise<Map<number, string>> => {
    const [entry] = await admin.fetchOffsets({ groupId: kafkaGroupId(group, topic), topics: [topic] });
    return new Map((entry?.partitions ?? []).map((partition) => [partition.partition, partition.offset]));
  };

  it('writes a dead letter with the original key, value and headers plus the error headers, as strings', async () => {
    const topic = uniqueName('dlq-wire');
    const group = uniqueName('validator');
    const subscription = await bus.subscribe({
      topic,
      group,
      handler: async () => {
        throw new AppError('INVALID_MESSAGE', 'missing field "task"');
      },
    });
    cleanups.push(() => subscription.close());

    const letter = deferred<KafkaMessage>();
    const reader = raw.consumer({ groupId: uniqueName('raw-reader'), maxWaitTimeInMs: 10 });
    await reader.connect();
    cleanups.push(() => reader.disconnect());
    await reader.subscribe({ topics: [deadLetterTopic(topic)], fromBeginning: true });
    await reader.run({ eachMessage: async ({ message }) => letter.resolve(message) });

    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    await bus.publish(topic, [
      { key: 'task-7', value: { broken: true }, headers: { traceparent, 'x-origin': 'test' } },
    ]);
    const message = await withTimeout(letter.promise, WAIT_MS, 'the dead letter on the wire');

    expect(message.key?.toString()).toBe('task-7');
    expect(JSON.parse(message.value?.toString() ?? 'null')).toEqual({ broken: true });
    const headers = Object.fromEntries(
      Object.entries(message.headers ?? {}).map(([name, value]) => [name, value?.toString()]),
    );
    expect(headers).toEqual({
      traceparent,
      'x-origin': 'test',
      [DEAD_LETTER_HEADERS.originalTopic]: topic,
      [DEAD_LETTER_HEADERS.group]: group,
      [DEAD_LETTER_HEADERS.errorCode]: 'INVALID_MESSAGE',
      [DEAD_LETTER_HEADERS.errorMessage]: 'missing field "task"',
      [DEAD_LETTER_HEADERS.attempts]: '1',
      [DEAD_LETTER_HEADERS.at]: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
  });

  it('commits nothing for a member that crashes while failing; the next member gets the message', async () => {
    const topic = uniqueName('crash');
    const group = uniqueName('workers');
    await bus.publish(topic, [{ key: 'job', value: { id: 'job-1' } }]);

    // Plain node with tsx as a loader (not the tsx CLI, which runs a grandchild), in its own process
    // group so that SIGKILL takes everything down like a crash.
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        path.join(__dirname, 'support/failing-member.ts'),
        cluster.brokers().join(','),
        topic,
        group,
      ],
      {
        cwd: ROOT,
        env: { ...process.env, TSX_TSCONFIG_PATH: path.join(ROOT, 'tsconfig.base.json') },
        stdio: ['ignore', 'pipe', 'inherit'],
        detached: true,
      },
    );
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const crash = async (): Promise<void> => {
      if (child.exitCode === null && child.signalCode === null && child.pid !== undefined)
        process.kill(-child.pid, 'SIGKILL');
      await exited;
    };
    cleanups.push(crash);
    const failed = deferred<{ partition: number; offset: string }>();
    createInterface({ input: child.stdout }).on('line', (line) => {
      const match = /^failed (\d+):(\d+)$/.exec(line);
      if (match) failed.resolve({ partition: Number(match[1]), offset: match[2] as string });
    });
    const { partition, offset } = await withTimeout(failed.promise, WAIT_MS, 'the child member to fail');

    expect((await committedOffsets(group, topic)).get(partition)).toBe('-1');
    await crash();

    const recorder = new MessageRecorder();
    const subscription = await bus.subscribe({ topic, group, handler: recorder.handler });
    cleanups.push(() => subscription.close());
    await recorder.untilCount(1, WAIT_MS, 'the message after the crash');
    expect(recorder.received[0]).toMatchObject({ key: 'job', value: { id: 'job-1' }, partition, offset });

    const next = String(Number(offset) + 1);
    await waitFor(async () => (await committedOffsets(group, topic)).get(partition) === next, {
      timeoutMs: WAIT_MS,
      label: `offset ${next} committed`,
    });
  });

  it('hands batches of at most maxBatchSize, in order', async () => {
    const topic = uniqueName('sized');
    await bus.publish(
      topic,
      Array.from({ length: 50 }, (_, index) => ({ key: 'one', value: index })),
    );
    const sizes: number[] = [];
    const recorder = new MessageRecorder();
    const subscription = await bus.subscribe({
      topic,
      group: uniqueName('sized'),
      maxBatchSize: 7,
      handler: async (batch) => {
        sizes.push(batch.length);
        recorder.record(batch);
      },
    });
    cleanups.push(() => subscription.close());
    await recorder.untilCount(50, WAIT_MS);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(7);
    expect(recorder.values()).toEqual(Array.from({ length: 50 }, (_, index) => index));
  });

  it('reports an unreachable cluster as SERVICE_UNAVAILABLE naming the brokers', async () => {
    const unreachable = new KafkaMessageBus(
      cluster.busOptions({ brokers: ['127.0.0.1:1'], connectionTimeoutMs: 200 }),
    );
    const failure = unreachable.connect();
    await expect(failure).rejects.toBeInstanceOf(AppError);
    await expect(failure).rejects.toMatchObject({
      code: 'SERVICE_UNAVAILABLE',
      message: expect.stringContaining('127.0.0.1:1'),
    });
    await expect(unreachable.publish('t', [{ key: 'k', value: 1 }])).rejects.toMatchObject({
      code: 'SERVICE_UNAVAILABLE',
    });
  });
});
