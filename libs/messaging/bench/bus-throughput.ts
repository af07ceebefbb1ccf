/**
 * Publish + consume throughput of a bus adapter (not a test: numbers depend on the machine).
 *   npx tsx --tsconfig tsconfig.base.json libs/messaging/bench/bus-throughput.ts memory:// 100000
 *   npx tsx --tsconfig tsconfig.base.json libs/messaging/bench/bus-throughput.ts kafka://127.0.0.1:PORT 20000 [perCall] [--idempotent]
 * (--idempotent needs a cluster that grants producer ids; librdkafka's mock grants kafkajs none.)
 * Publishes `count` small messages (64 keys, in publish calls of `perCall`, default 1,000) while one group consumes them,
 * and reports messages/s from the first publish until the last message was handled.
 */
import { randomUUID } from 'node:crypto';
import { createMessageBus } from '../src/create-message-bus';

async function main(): Promise<void> {
  const url = process.argv[2] ?? 'memory://';
  const count = Number(process.argv[3] ?? 100_000);
  const perCall = Number(process.argv[4] ?? 1_000);
  const idempotent = process.argv.includes('--idempotent');
  const bus = await createMessageBus(url, { kafka: { maxWaitTimeMs: 10, idempotent } });
  await bus.connect();
  const topic = `bench-${randomUUID().slice(0, 8)}`;
  let received = 0;
  let finish!: () => void;
  const done = new Promise<void>((resolve) => (finish = resolve));
  await bus.subscribe({
    topic,
    group: 'bench',
    maxBatchSize: 500,
    handler: async (batch) => {
      received += batch.length;
      if (received >= count) finish();
    },
  });

  const started = process.hrtime.bigint();
  for (let sent = 0; sent < count; sent += perCall) {
    const size = Math.min(perCall, count - sent);
    await bus.publish(
      topic,
      Array.from({ length: size }, (_, index) => ({
        key: `key-${(sent + index) % 64}`,
        value: { taskId: `task-${sent + index}`, type: 'progress', percent: index % 100 },
        headers: { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' },
      })),
    );
  }
  const published = process.hrtime.bigint();
  await done;
  const ended = process.hrtime.bigint();
  const seconds = (nanos: bigint): number => Number(nanos) / 1e9;
  console.log(
    JSON.stringify({
      url,
      count,
      publishSeconds: seconds(published - started).toFixed(3),
      totalSeconds: seconds(ended - started).toFixed(3),
      publishPerSecond: Math.round(count / seconds(published - started)),
      endToEndPerSecond: Math.round(count / seconds(ended - started)),
    }),
  );
  await bus.close();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
