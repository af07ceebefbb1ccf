/**
 * Rough throughput of PrismaTaskRepository on the test PostgreSQL server (not a test; run by hand):
 *
 *   npx tsx libs/persistence/test/bench/apply-events.bench.ts [tasks=3000] [batch=100] [consumers=1,4]
 *
 * Creates `tasks` tasks, then applies their lifecycles (dispatched, started, succeeded: 3 events
 * per task, task after task) in batches of `batch` events, with 1 and then N concurrent consumers
 * on disjoint tasks (as partitions would be). Uses a schema of its own and drops it afterwards.
 */
import type { TaskEvent } from '@contextforge/contracts';
import { buildTask, lifecycleEvents } from '@contextforge/testing';
import { createTaskRepository } from '../../src';
import { TEST_DATABASE_URL, testSchema } from '../support/postgres';

async function main(): Promise<void> {
  const [tasksArg, batchArg, consumersArg] = process.argv.slice(2);
  const taskCount = Number(tasksArg ?? 3000);
  const batchSize = Number(batchArg ?? 100);
  const consumerCounts = (consumersArg ?? '1,4').split(',').map(Number);
  const schema = testSchema('bench');
  const repository = createTaskRepository(TEST_DATABASE_URL, { schema: schema.name, poolSize: 10 });
  await repository.connect();
  try {
    for (const consumers of consumerCounts) {
      const tasks = Array.from({ length: taskCount }, () => buildTask({ clientId: `bench-${consumers}` }));
      let started = performance.now();
      await runConcurrently(tasks, 20, (task) => repository.createTask(task).then(() => undefined));
      const createSeconds = (performance.now() - started) / 1000;

      const events = tasks.flatMap((task) => lifecycleEvents(task.id));
      const batches: TaskEvent[][] = [];
      for (let start = 0; start < events.length; start += batchSize)
        batches.push(events.slice(start, start + batchSize));
      // Consumer i takes every i-th batch; a task's events may straddle two adjacent batches, so
      // give whole batches to consumers in contiguous runs to keep each task's events in order.
      const perConsumer = Math.ceil(batches.length / consumers);
      const lanes = Array.from({ length: consumers }, (_, lane) =>
        batches.slice(lane * perConsumer, (lane + 1) * perConsumer),
      );
      started = performance.now();
      await Promise.all(
        lanes.map(async (lane) => {
          for (const batch of lane) await repository.applyEvents(batch);
        }),
      );
      const applySeconds = (performance.now() - started) / 1000;
      const counts = await repository.countByStatus();
      console.log(
        `consumers=${consumers} tasks=${taskCount} batch=${batchSize}: createTask ${(taskCount / createSeconds).toFixed(0)}/s ` +
          `(20 in flight); applyEvents ${(events.length / applySeconds).toFixed(0)} events/s ` +
          `(${events.length} events in ${applySeconds.toFixed(2)} s); succeeded so far: ${counts.succeeded}`,
      );
    }
  } finally {
    await repository.close();
    await schema.drop();
  }
}

async function runConcurrently<T>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) {
        const item = items[next];
        next += 1;
        if (item !== undefined) await work(item);
      }
    }),
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
