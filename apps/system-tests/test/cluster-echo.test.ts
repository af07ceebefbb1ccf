import { expectEachSucceededOnce } from './support/exactly-once';
import { limitedMap } from './support/limited-map';
import { gatewayGet, submitTasks } from './support/task-client';
import { readTaskStream } from './support/task-stream-client';
import { useClusterSystem } from './support/use-cluster-system';
import { waitForTasksToSucceed } from './support/wait-for-tasks';

const TASKS = 1_000;
const AGENTS = 3;

describe('cluster mode: every app its own OS process, on Kafka, Consul and Postgres', () => {
  const fixture = useClusterSystem({
    agents: AGENTS,
    // The example agent type of docs/agent-sdk.md beside the built-ins.
    env: { CONTEXTFORGE__AGENT__TASK_TYPES: 'echo,sleep,license-check' },
  });

  it('runs the example agent type (license-check) on an agent process', async () => {
    const { gateway } = fixture.get();
    const [taskId = ''] = await submitTasks(gateway, [
      {
        type: 'license-check',
        input: {
          files: [
            { path: 'a.ts', content: '// SPDX-License-Identifier: MIT\nexport {};\n' },
            { path: 'b.py', content: 'print(1)\n' },
          ],
        },
      },
    ]);
    await waitForTasksToSucceed(fixture.get(), [taskId], {
      timeoutMs: 30_000,
      label: 'the license-check task',
    });
    const result = (await (await gatewayGet(gateway, `/tasks/${taskId}/result`)).json()) as {
      agentId: string;
      output: unknown;
    };
    expect(result.agentId).toMatch(/^agent-\d$/);
    expect(result.output).toEqual({
      files: [
        { path: 'a.ts', license: 'MIT' },
        { path: 'b.py', license: null },
      ],
      totals: { MIT: 1, none: 1 },
    });
  });

  it("streams a task's events over WebSocket from the result-store through Kafka, resuming after a disconnect without loss", async () => {
    const { gateway } = fixture.get();
    const [taskId = ''] = await submitTasks(gateway, [{ type: 'sleep', input: { ms: 1_500 } }]);

    // Read one frame, disconnect, resume after its seq: the rest arrives live from tasks.changes.
    const first = await readTaskStream(gateway, taskId, { stopAfter: 1 });
    const [firstFrame] = first.frames;
    expect(firstFrame).toMatchObject({ type: 'event', seq: 1 });
    const rest = await readTaskStream(gateway, taskId, { after: firstFrame?.seq ?? 0 });
    expect(rest.closeCode).toBe(1000);

    const events = [...first.frames, ...rest.frames].filter((frame) => frame.type === 'event');
    const seqs = events.map((frame) => frame.seq);
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, index) => index + 1));
    const types = events.map((frame) => (frame.data as { event: { type: string } }).event.type);
    expect(types[0]).toBe('queued');
    expect(types.at(-1)).toBe('succeeded');
    expect(rest.frames.at(-1)).toMatchObject({ type: 'end', seq: seqs.length });
    const task = (await (await gatewayGet(gateway, `/tasks/${taskId}`)).json()) as { eventSeq: number };
    expect(task.eventSeq).toBe(seqs.length);
  });

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
    // No result for anything else (beside the stream and license-check tests' tasks), and every agent did some of the work.
    const results = await db.query<{ rows: string; agents: string; others: string }>(
      `SELECT count(*) FILTER (WHERE task_id = ANY($1)) AS rows,
              count(DISTINCT agent_id) FILTER (WHERE task_id = ANY($1)) AS agents,
              count(*) FILTER (WHERE NOT task_id = ANY($1)) AS others
         FROM task_results`,
      [taskIds],
    );
    expect(results.rows[0]).toEqual({ rows: String(TASKS), agents: String(AGENTS), others: '2' });

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
