import { waitFor } from '@contextforge/testing';
import type { ClusterSystem } from './cluster-system';
import { statusCounts } from './task-db';

export interface WaitForTasksOptions {
  timeoutMs: number;
  /** Named in the timeout error. */
  label?: string;
}

/**
 * Polls the result-store's database (one GROUP BY per poll, not a GET per task) until every task
 * succeeded. Fails fast when a process of the cluster crashed (an exit the test did not cause) or
 * a task ended otherwise (dead-lettered, cancelled). Resolves with the status counts.
 */
export async function waitForTasksToSucceed(
  system: ClusterSystem,
  taskIds: readonly string[],
  options: WaitForTasksOptions,
): Promise<Map<string, number>> {
  const { db, cluster } = system;
  let counts = new Map<string, number>();
  const waiting = waitFor(
    async () => {
      await failOnCrash(system);
      counts = await statusCounts(db, taskIds);
      if (counts.has('dead_lettered') || counts.has('cancelled'))
        throw new Error(`tasks ended without success: ${JSON.stringify(Object.fromEntries(counts))}`);
      return counts.get('succeeded') === taskIds.length;
    },
    {
      timeoutMs: options.timeoutMs,
      intervalMs: 200,
      label: options.label ?? `${taskIds.length} tasks to succeed`,
    },
  );
  await waiting.catch((error: unknown) => {
    const last = JSON.stringify(Object.fromEntries(counts));
    throw new Error(
      `${error instanceof Error ? error.message : String(error)}; last counts ${last}; logs in ${cluster.logDir}`,
    );
  });
  return counts;
}

/** Throws, quoting its log, if a process of the cluster exited without the test causing it. */
export async function failOnCrash(system: ClusterSystem): Promise<void> {
  const crashed = system.cluster.crashed();
  if (crashed.length === 0) return;
  const name = crashed[0]?.name ?? '';
  throw new Error(`${name} crashed (${JSON.stringify(crashed)}):\n${await system.cluster.logTail(name)}`);
}

/**
 * Polls until at least `count` of `taskIds` succeeded (mid-run, before a fault is injected),
 * failing fast when a process crashed.
 */
export async function waitForSomeToSucceed(
  system: ClusterSystem,
  taskIds: readonly string[],
  count: number,
  label: string,
): Promise<void> {
  await waitFor(
    async () => {
      await failOnCrash(system);
      return ((await statusCounts(system.db, taskIds)).get('succeeded') ?? 0) >= count;
    },
    { timeoutMs: 60_000, intervalMs: 100, label },
  );
}
