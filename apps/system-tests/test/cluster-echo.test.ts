import { expectEachSucceededOnce } from './support/exactly-once';
import { limitedMap } from './support/limited-map';
import { submitTasks, gatewayGet } from './support/task-client';
import { useClusterSystem } from './support/use-cluster-system';
import { waitForTasksToSucceed } from './support/wait-for-tasks';

const TASKS = 1_000;
const AGENTS = 3;

describe('cluster mode: every app its own OS process, on Kafka, Consul and Postgres', () => {
  const fixture = useClusterSystem({ agents: AGENTS });

  it(`runs ${TASKS} echo tasks submitted through the gateway, each exactly once`, async () => {
    const system = fixture.get();
    const { gateway, db, cluster } = system;
    const inputs = Array.from({ length: TASKS }, (_, index) => ({
      index,
      text: `echo ${index}`,
      nested: { even: index % 2 === 0 },
    }));

    const started = performance.now();
    const taskIds = await submitTasks(
      gateway,
      inputs.map((input) => ({ type: 'echo', input })),
    );
    const submittedMs = performance.now() - started;

    await waitForTasksToSucceed(system, taskIds, { timeoutMs: 180_000, label: `${TASKS} tasks to succeed` });
    const elapsedMs = performance.now() - started;
    process.stdout.write(
      `cluster-echo: ${TASKS} tasks, ${AGENTS} agents: submitted in ${Math.round(submittedMs)} ms, ` +
        `all succeeded after ${Math.round(elapsedMs)} ms (${((TASKS * 1000) / elapsedMs).toFixed(1)} tasks/s)\n`,
    );

    // Every task succeeded once (one result row, one applied success), none is left open.
    await expectEachSucceededOnce(db, taskIds);
    // No result for anything else, and every agent did some of the work.
    const results = await db.query<{ rows: string; agents: string }>(
      'SELECT count(*) AS rows, count(DISTINCT agent_id) AS agents FROM task_results',
    );
    expect(results.rows[0]).toEqual({ rows: String(TASKS), agents: String(AGENTS) });

    // Every result, read back through the gateway, is the task's input.
    const read = await limitedMap(taskIds, 32, async (taskId) => {
      const response = await gatewayGet(gateway, `/tasks/${taskId}/result`);
      const body = (await response.json()) as { taskId?: string; output?: unknown };
      return { status: response.status, taskId: body.taskId, output: body.output };
    });
    expect(read).toEqual(taskIds.map((taskId, index) => ({ status: 200, taskId, output: inputs[index] })));

    expect(cluster.crashed()).toEqual([]);
    fixture.markPassed();
  });
});
