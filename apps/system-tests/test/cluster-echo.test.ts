import { FINAL_TASK_STATUSES } from '@contextforge/contracts';
import { waitFor } from '@contextforge/testing';
import { startClusterSystem, type ClusterSystem } from './support/cluster-system';
import { limitedMap } from './support/limited-map';

const TASKS = 1_000;
const AGENTS = 3;
/** Requests in flight at once against the gateway (a client with a connection pool). */
const CLIENT_CONCURRENCY = 32;

describe('cluster mode: every app its own OS process, on Kafka, Consul and Postgres', () => {
  let system: ClusterSystem | undefined;
  let passed = false;

  beforeAll(async () => {
    system = await startClusterSystem({ agents: AGENTS });
  }, 180_000);

  afterAll(async () => {
    await system?.stop({ removeLogs: passed });
    if (system && !passed) process.stderr.write(`cluster logs kept in ${system.cluster.logDir}\n`);
  }, 60_000);

  it(`runs ${TASKS} echo tasks submitted through the gateway, each exactly once`, async () => {
    const { gatewayUrl, db, cluster } = requireSystem(system);
    const inputs = Array.from({ length: TASKS }, (_, index) => ({
      index,
      text: `echo ${index}`,
      nested: { even: index % 2 === 0 },
    }));

    const started = performance.now();
    const taskIds = await limitedMap(inputs, CLIENT_CONCURRENCY, async (input) => {
      const response = await fetch(`${gatewayUrl}/tasks/submit`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ type: 'echo', input }),
      });
      const body = (await response.json()) as { taskId?: string };
      if (response.status !== 202 || !body.taskId)
        throw new Error(`submit answered ${response.status}: ${JSON.stringify(body)}`);
      return body.taskId;
    });
    const submittedMs = performance.now() - started;
    expect(new Set(taskIds).size).toBe(TASKS);

    // One count per poll instead of a thousand GETs; fail fast on a crash or a final failure.
    await waitFor(
      async () => {
        const crashed = cluster.crashed();
        if (crashed.length > 0) {
          const name = crashed[0]?.name ?? '';
          throw new Error(`${name} crashed (${JSON.stringify(crashed)}):\n${await cluster.logTail(name)}`);
        }
        const counts = await statusCounts(db, taskIds);
        const failedFinal = (counts.get('dead_lettered') ?? 0) + (counts.get('cancelled') ?? 0);
        if (failedFinal > 0)
          throw new Error(`tasks ended without success: ${JSON.stringify(Object.fromEntries(counts))}`);
        return counts.get('succeeded') === TASKS;
      },
      { timeoutMs: 180_000, intervalMs: 200, label: `${TASKS} tasks to succeed` },
    );
    const elapsedMs = performance.now() - started;
    process.stdout.write(
      `cluster-echo: ${TASKS} tasks, ${AGENTS} agents: submitted in ${Math.round(submittedMs)} ms, ` +
        `all succeeded after ${Math.round(elapsedMs)} ms (${((TASKS * 1000) / elapsedMs).toFixed(1)} tasks/s)\n`,
    );

    // Every task succeeded, and no task in the database is left in a non-final status.
    expect(Object.fromEntries(await statusCounts(db, taskIds))).toEqual({ succeeded: TASKS });
    const unfinished = await db.query<{ count: string }>(
      'SELECT count(*) FROM tasks WHERE status <> ALL($1)',
      [[...FINAL_TASK_STATUSES]],
    );
    expect(unfinished.rows[0]?.count).toBe('0');

    // Exactly one result row per task, and none for anything else.
    const results = await db.query<{ rows: string; tasks: string; agents: string }>(
      'SELECT count(*) AS rows, count(DISTINCT task_id) AS tasks, count(DISTINCT agent_id) AS agents FROM task_results',
    );
    expect(results.rows[0]).toEqual({ rows: String(TASKS), tasks: String(TASKS), agents: String(AGENTS) });
    const ours = await db.query<{ count: string }>(
      'SELECT count(*) FROM task_results WHERE task_id = ANY($1)',
      [taskIds],
    );
    expect(ours.rows[0]?.count).toBe(String(TASKS));

    // Exactly one applied success per task: duplicates were recorded as ignored, not applied twice.
    const successes = await db.query<{ task_id: string; applied: string }>(
      `SELECT task_id, count(*) AS applied FROM task_events
        WHERE type = 'succeeded' AND outcome = 'applied' GROUP BY task_id HAVING count(*) <> 1`,
    );
    expect(successes.rows).toEqual([]);

    // Every result, read back through the gateway, is the task's input.
    const read = await limitedMap(taskIds, CLIENT_CONCURRENCY, async (taskId) => {
      const response = await fetch(`${gatewayUrl}/tasks/${taskId}/result`);
      const body = (await response.json()) as { taskId?: string; output?: unknown };
      return { status: response.status, taskId: body.taskId, output: body.output };
    });
    expect(read).toEqual(taskIds.map((taskId, index) => ({ status: 200, taskId, output: inputs[index] })));

    expect(cluster.crashed()).toEqual([]);
    passed = true;
  });
});

function requireSystem(system: ClusterSystem | undefined): ClusterSystem {
  if (!system) throw new Error('the cluster did not start (see beforeAll)');
  return system;
}

async function statusCounts(
  db: ClusterSystem['db'],
  taskIds: readonly string[],
): Promise<Map<string, number>> {
  const { rows } = await db.query<{ status: string; count: string }>(
    'SELECT status, count(*) FROM tasks WHERE id = ANY($1) GROUP BY status',
    [taskIds],
  );
  return new Map(rows.map((row) => [row.status, Number(row.count)]));
}
