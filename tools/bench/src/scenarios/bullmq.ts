import { uniqueName } from '@contextforge/testing';
import { Queue, QueueEvents, Worker, type ConnectionOptions } from 'bullmq';
import { randomUUID } from 'node:crypto';
import type { Scenario } from '../scenario';
import { perSecond, quantile } from '../stats';
import { CompletionCounter } from '../support/completion-counter';
import { sendInBatches, workloadSizes, type WorkloadSizes } from '../support/workload-sizes';

/** The local Redis (ENVIRONMENT.md: 127.0.0.1:6379), or REDIS_URL. */
export function redisConnection(
  url = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379',
): ConnectionOptions {
  const parsed = new URL(url);
  return {
    host: parsed.hostname,
    port: Number(parsed.port || 6379),
    ...(parsed.password ? { password: decodeURIComponent(parsed.password) } : {}),
    // Workers block on Redis; BullMQ requires this for their connections.
    maxRetriesPerRequest: null,
  };
}

/**
 * The reference: the same no-op workload on BullMQ in this process against the local Redis,
 * measured in the same run as ours. Same shape: addBulk in chunks of the batch size with as many
 * in flight, one Worker with concurrency 50 and a no-op processor; first add -> last `completed`
 * event; then add -> completed of single jobs through QueueEvents (job.waitUntilFinished), the
 * client-side notification like our task stream. BullMQ's defaults otherwise (completed jobs are
 * kept, as our tasks are). A unique queue name, obliterated afterwards.
 */
/** The reference worker's concurrency; our throughput scenarios give their agents as many slots in all. */
export const BULLMQ_CONCURRENCY = 50;

/**
 * Per-agent concurrency for `agents` agents with BULLMQ_CONCURRENCY slots in all (rounded up): a
 * no-op run is bounded by slots over the time a slot is held, so both sides get the same slots.
 */
export function sameSlotsAsBullmq(agents: number): Record<string, string> {
  return { CONTEXTFORGE__AGENT__CONCURRENCY: String(Math.ceil(BULLMQ_CONCURRENCY / agents)) };
}

export const bullmq: Scenario = {
  id: 'bullmq',
  title: 'BullMQ on the local Redis: same workload',
  run: async (ctx) => {
    const sizes = workloadSizes(ctx.smoke);
    const connection = redisConnection();
    const name = uniqueName('contextforge-bench');
    const queue = new Queue(name, { connection });
    const queueEvents = new QueueEvents(name, { connection });
    const completed = new CompletionCounter();
    const worker = new Worker(name, async () => undefined, { connection, concurrency: BULLMQ_CONCURRENCY });
    worker.on('completed', () => completed.add());
    worker.on('failed', (job, error) => completed.fail(new Error(`job ${job?.id} failed: ${error.message}`)));
    try {
      await Promise.all([queue.waitUntilReady(), queueEvents.waitUntilReady(), worker.waitUntilReady()]);
      const run = randomUUID();
      const timeoutMs = 60_000 + sizes.tasks * 30;

      await addAll(queue, { run, phase: 'warmup' }, sizes.warmupTasks, sizes);
      await completed.reach(sizes.warmupTasks, timeoutMs, 'the warm-up jobs');
      await latencies(
        queue,
        queueEvents,
        { run, phase: 'warmup-latency' },
        Math.min(5, sizes.latencySamples),
      );

      ctx.log(`  adding ${sizes.tasks} no-op jobs`);
      const before = completed.value;
      const lastCompleted = completed.reach(before + sizes.tasks, timeoutMs, `${sizes.tasks} jobs`);
      // Awaited below; this only keeps a rejection while adding from being reported as unhandled.
      lastCompleted.catch(() => undefined);
      const started = performance.now();
      await addAll(queue, { run, phase: 'throughput' }, sizes.tasks, sizes);
      const added = performance.now();
      const ended = await lastCompleted;

      ctx.log(`  measuring unloaded latency over ${sizes.latencySamples} jobs`);
      const samples = await latencies(queue, queueEvents, { run, phase: 'latency' }, sizes.latencySamples);
      const what = `${samples.length} jobs one at a time, idle queue`;
      return [
        {
          id: 'bullmq.throughput',
          label: `throughput, ${sizes.tasks} no-op jobs, first add -> last completed (concurrency ${BULLMQ_CONCURRENCY})`,
          value: perSecond(sizes.tasks, ended - started),
          unit: 'jobs/s',
        },
        {
          id: 'bullmq.accepted',
          label: `add rate (addBulk of ${sizes.batchSize}, ${sizes.inFlightBatches} in flight)`,
          value: perSecond(sizes.tasks, Math.max(1, added - started)),
          unit: 'jobs/s',
        },
        {
          id: 'bullmq.latency-p50',
          label: `latency p50, add -> completed via QueueEvents (${what})`,
          value: quantile(samples, 0.5),
          unit: 'ms',
        },
        {
          id: 'bullmq.latency-p99',
          label: `latency p99, add -> completed via QueueEvents (${what})`,
          value: quantile(samples, 0.99),
          unit: 'ms',
        },
      ];
    } finally {
      completed.fail(new Error('the scenario ended'));
      await worker.close();
      await queueEvents.close();
      await queue.obliterate({ force: true });
      await queue.close();
    }
  },
};

interface RunTag {
  run: string;
  phase: string;
}

async function addAll(queue: Queue, tag: RunTag, count: number, sizes: WorkloadSizes): Promise<void> {
  await sendInBatches(count, sizes, async (first, size) => {
    await queue.addBulk(
      Array.from({ length: size }, (_, index) => ({ name: 'echo', data: { ...tag, n: first + index } })),
    );
  });
}

async function latencies(queue: Queue, events: QueueEvents, tag: RunTag, samples: number): Promise<number[]> {
  const result: number[] = [];
  for (let index = 0; index < samples; index += 1) {
    const started = performance.now();
    const job = await queue.add('echo', { ...tag, n: index });
    await job.waitUntilFinished(events, 30_000);
    result.push(performance.now() - started);
  }
  return result;
}
