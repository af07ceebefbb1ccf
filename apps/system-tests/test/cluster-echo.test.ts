import { OtlpTraceReceiver } from '@contextforge/testing';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { expectEachSucceededOnce } from './support/exactly-once';
import { limitedMap } from './support/limited-map';
import { gatewayGet, submitTasks } from './support/task-client';
import { readTaskStream } from './support/task-stream-client';
import { describeMissing, describePath, successPath, tracingEnv } from './support/task-trace';
import { useClusterSystem } from './support/use-cluster-system';
import { waitForTasksToSucceed } from './support/wait-for-tasks';

const TASKS = 1_000;
const AGENTS = 3;

/** Writes `files` (relative path -> content) under a new temporary directory; returns its path. */
function writeTree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'cf-sys-repo-'));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  return root;
}

describe('cluster mode: every app its own OS process, on Kafka, Consul and Postgres', () => {
  // Every process exports its spans (OTLP/HTTP JSON) to this receiver; started before the cluster.
  let receiver: OtlpTraceReceiver | undefined;
  beforeAll(async () => {
    receiver = await OtlpTraceReceiver.start();
  });
  afterAll(() => receiver?.stop());
  const fixture = useClusterSystem(() => ({
    agents: AGENTS,
    env: tracingEnv(receiver?.url ?? 'http://127.0.0.1:9'),
  }));
  const traces = () => {
    if (!receiver) throw new Error('the OTLP receiver did not start');
    return receiver;
  };

  it('traces a task and a repository job across the processes: one trace from the gateway through scheduler and agent to the result-store', async () => {
    const system = fixture.get();
    const { gateway, db } = system;
    const [taskId = ''] = await submitTasks(gateway, [{ type: 'echo', input: { traced: true } }]);
    const root = writeTree({
      'a.ts': 'export const a = 1;\n',
      'b.py': 'def b():\n    return 2\n',
      'c.go': 'package c\n',
    });
    const response = await fetch(`${gateway.url}/jobs/repository`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${gateway.token}` },
      body: JSON.stringify({ source: { path: root }, chunkBytes: 16 }),
    });
    expect(response.status).toBe(202);
    const { jobId } = (await response.json()) as { jobId: string };
    await waitForTasksToSucceed(system, [taskId, jobId], {
      timeoutMs: 60_000,
      label: 'the traced task and job',
    });
    const children = await db.query<{ id: string; type: string }>(
      'SELECT id, type FROM tasks WHERE parent_id = $1 ORDER BY type, id',
      [jobId],
    );
    const childIds = children.rows.map((row) => row.id);
    expect(children.rows.filter((row) => row.type === 'repo-chunk').length).toBeGreaterThan(1);

    // Spans arrive as each process's batch exporter sends them: wait for the whole paths.
    const all = [taskId, jobId, ...childIds];
    const spans = await traces().waitFor((received) => all.every((id) => successPath(received, id)), {
      timeoutMs: 30_000,
      describe: (received) =>
        all
          .filter((id) => !successPath(received, id))
          .map((id) => describeMissing(received, id))
          .join('; '),
    });

    // The task: one trace from the gateway's request through result-store, scheduler and agent
    // back to the result-store.
    const taskPath = successPath(spans, taskId);
    expect(describePath(taskPath)).toEqual([
      `result-store/result-store apply [${taskId}]`,
      `agent/agent execute [${taskId}]`,
      `scheduler/scheduler dispatch [${taskId}]`,
      'result-store/result-store create-tasks',
      'gateway/gateway POST /tasks/submit',
    ]);
    const taskTrace = taskPath?.[0]?.traceId;
    expect(new Set(spans.filter((span) => span.traceId === taskTrace).map((span) => span.service))).toEqual(
      new Set(['gateway', 'result-store', 'scheduler', 'agent']),
    );

    // The job: the coordinator's steps run in the trace of its submission, and every child (the
    // scan and each chunk) is created, dispatched and run inside it.
    const jobSubmission = ['result-store/result-store create-tasks', 'gateway/gateway POST /jobs/repository'];
    const jobPath = successPath(spans, jobId);
    expect(describePath(jobPath)).toEqual([
      `result-store/result-store apply [${jobId}]`,
      `scheduler/scheduler job-step [${jobId}]`,
      ...jobSubmission,
    ]);
    const jobTrace = jobPath?.[0]?.traceId;
    expect(jobTrace).not.toBe(taskTrace);
    for (const childId of childIds) {
      const path = successPath(spans, childId);
      expect({ childId, trace: path?.[0]?.traceId, path: describePath(path) }).toEqual({
        childId,
        trace: jobTrace,
        path: [
          `result-store/result-store apply [${childId}]`,
          `agent/agent execute [${childId}]`,
          `scheduler/scheduler dispatch [${childId}]`,
          'result-store/result-store create-tasks',
          `scheduler/scheduler job-step [${jobId}]`,
          ...jobSubmission,
        ],
      });
    }
  });

  it('runs a repository job across the agent processes: scan, chunks on several agents, one report', async () => {
    const { gateway, db } = fixture.get();
    const files: Record<string, string> = {
      'src/a.ts': 'export function a(x: number): number {\n  if (x > 1) return 1;\n  return 0;\n}\n',
      'src/b.py': '# comment\ndef b(x):\n    return x or 1\n',
      'cmd/main.go': 'package main\n\nfunc main() {\n}\n',
    };
    for (let index = 0; index < 30; index += 1) {
      files[`gen/f${index}.js`] = `// file ${index}\nfunction f${index}(a, b) {\n  return a && b;\n}\n`;
    }
    const root = writeTree(files);
    const response = await fetch(`${gateway.url}/jobs/repository`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${gateway.token}` },
      body: JSON.stringify({ source: { path: root }, chunkBytes: 256 }),
    });
    expect(response.status).toBe(202);
    const { jobId } = (await response.json()) as { jobId: string };
    await waitForTasksToSucceed(fixture.get(), [jobId], { timeoutMs: 60_000, label: 'the repository job' });

    const report = (await (await gatewayGet(gateway, `/tasks/${jobId}/result`)).json()) as {
      output: { complete: boolean; totals: { files: number }; languages: Record<string, { files: number }> };
    };
    expect(report.output.complete).toBe(true);
    expect(report.output.totals.files).toBe(33);
    expect(report.output.languages['javascript']?.files).toBe(30);
    // The chunks ran on more than one agent process.
    const chunkAgents = await db.query<{ agents: string; chunks: string }>(
      `SELECT count(DISTINCT r.agent_id) AS agents, count(*) AS chunks
         FROM tasks t JOIN task_results r ON r.task_id = t.id
        WHERE t.parent_id = $1 AND t.type = 'repo-chunk'`,
      [jobId],
    );
    expect(Number(chunkAgents.rows[0]?.chunks)).toBeGreaterThan(3);
    expect(Number(chunkAgents.rows[0]?.agents)).toBeGreaterThan(1);
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
    // Frames that arrived together with the first one were read too: resume after the last of them.
    const rest = await readTaskStream(gateway, taskId, { after: first.frames.at(-1)?.seq ?? 0 });
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
    const repoTasks = await db.query<{ count: string }>(
      `SELECT count(*) FROM task_results r JOIN tasks t ON t.id = r.task_id WHERE t.type LIKE 'repo-%'`,
    );
    // No result for anything else (beside the repository jobs', the stream's, license-check's and the traced echo task's), and every agent did some of the work.
    const results = await db.query<{ rows: string; agents: string; others: string }>(
      `SELECT count(*) FILTER (WHERE task_id = ANY($1)) AS rows,
              count(DISTINCT agent_id) FILTER (WHERE task_id = ANY($1)) AS agents,
              count(*) FILTER (WHERE NOT task_id = ANY($1)) AS others
         FROM task_results`,
      [taskIds],
    );
    expect(results.rows[0]).toEqual({
      rows: String(TASKS),
      agents: String(AGENTS),
      others: String(3 + Number(repoTasks.rows[0]?.count ?? 0)),
    });

    // Every result, read back through the gateway, is the task's input.
    const read = await limitedMap(taskIds, 32, async (taskId) => {
      const response = await gatewayGet(gateway, `/tasks/${taskId}/result`);
      const body = (await response.json()) as { taskId?: string; output?: unknown };
      return { status: response.status, taskId: body.taskId, output: body.output };
    });
    expect(read).toEqual(taskIds.map((taskId, index) => ({ status: 200, taskId, output: inputs[index] })));

    // Every process's /metrics is valid Prometheus exposition (promtool is the judge) and counted the work.
    for (const [name, url] of Object.entries(system.processUrls)) {
      const scrape = await fetch(`${url}/metrics`);
      expect({ name, status: scrape.status }).toEqual({ name, status: 200 });
      const text = await scrape.text();
      const check = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
      expect({ name, status: check.status, output: `${check.stdout}${check.stderr}`.trim() }).toEqual({
        name,
        status: 0,
        output: '',
      });
      if (name === 'result-store') {
        const succeeded = text
          .split('\n')
          .filter(
            (line) =>
              line.startsWith('contextforge_tasks_finished_total{') &&
              line.includes('type="echo"') &&
              line.includes('status="succeeded"'),
          )
          .map((line) => Number(line.split(' ').at(-1)));
        expect(succeeded.reduce((sum, value) => sum + value, 0)).toBeGreaterThanOrEqual(TASKS);
      }
    }

    expect(cluster.crashed()).toEqual([]);
    fixture.markPassed();
  });
});
