import { statusCounts, waitFor } from '@contextforge/testing';
import type { AgentFleet } from './agent-fleet';

/** Largest POST /tasks/batch the gateway takes. */
const BATCH_LIMIT = 1_000;

/**
 * Submits `count` sleep tasks of `minMs`-`maxMs` (uniform) through POST /tasks/batch, so the
 * client's request rate does not limit the run; resolves with their ids.
 */
export async function submitSleepTasks(
  fleet: AgentFleet,
  count: number,
  minMs: number,
  maxMs = minMs,
): Promise<string[]> {
  const ids: string[] = [];
  for (let offset = 0; offset < count; offset += BATCH_LIMIT) {
    const size = Math.min(BATCH_LIMIT, count - offset);
    const answers = await fleet.cluster.client.submitBatch(
      Array.from({ length: size }, () => ({
        type: 'sleep',
        input: { ms: minMs + Math.floor(Math.random() * (maxMs - minMs + 1)) },
      })),
    );
    ids.push(...answers.map((answer) => answer.taskId));
  }
  return ids;
}

/** Throws, quoting its log, if a process of the fleet exited without the benchmark causing it. */
export async function failOnCrash(fleet: AgentFleet): Promise<void> {
  const crashed = fleet.cluster.processes.crashed()[0];
  if (!crashed) return;
  throw new Error(
    `${crashed.name} crashed (${JSON.stringify(crashed.exit)}):\n${await fleet.cluster.processes.logTail(crashed.name)}`,
  );
}

/**
 * Polls the result-store's database (one GROUP BY per poll) until at least `count` of `taskIds`
 * succeeded (default: all). Fails fast on a crashed process or a task that ended otherwise.
 */
export async function waitForSucceeded(
  fleet: AgentFleet,
  taskIds: readonly string[],
  options: { count?: number; timeoutMs: number; label: string },
): Promise<void> {
  const count = options.count ?? taskIds.length;
  await waitFor(
    async () => {
      await failOnCrash(fleet);
      const counts = await statusCounts(fleet.cluster.db, taskIds);
      if (counts.has('dead_lettered') || counts.has('cancelled'))
        throw new Error(
          `${options.label}: tasks ended without success: ${JSON.stringify(Object.fromEntries(counts))}`,
        );
      return (counts.get('succeeded') ?? 0) >= count;
    },
    {
      timeoutMs: options.timeoutMs,
      intervalMs: 50,
      label: `${options.label} (logs in ${fleet.cluster.processes.logDir})`,
    },
  );
}

/**
 * When the last of `taskIds` finished: the latest `at` (the agent's clock; every process shares
 * this machine's) of their applied `succeeded` events, in epoch ms.
 */
export async function lastSuccessAt(fleet: AgentFleet, taskIds: readonly string[]): Promise<number> {
  const { rows } = await fleet.cluster.db.query<{ last: string | null }>(
    `SELECT max(payload->>'at') AS last FROM task_events
      WHERE task_id = ANY($1) AND type = 'succeeded' AND outcome = 'applied'`,
    [taskIds],
  );
  const last = rows[0]?.last;
  if (!last) throw new Error('no applied succeeded event for these tasks');
  return Date.parse(last);
}
