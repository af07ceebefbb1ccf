import { ContextForgeClient } from '@contextforge/client';
import type { TaskView } from '@contextforge/contracts';
import { deferred } from '@contextforge/testing';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { EmbeddedSystem } from '../src/embedded-system';
import { startTestSystem } from './support/start-test-system';

const BIN = join(__dirname, '..', '..', '..', 'bin', 'contextforge.cjs');

interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the real `contextforge` bin as a child process. */
function contextforge(
  args: string[],
  options: { env?: Record<string, string>; cwd?: string } = {},
): Promise<CliRun> {
  const env = { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '', ...options.env };
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { env, cwd: options.cwd ?? mkdtempSync(join(tmpdir(), 'cf-cli-')), timeout: 60_000 },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== 'number') reject(error);
        else resolve({ code: typeof error?.code === 'number' ? error.code : 0, stdout, stderr });
      },
    );
  });
}

/** A URL where nothing listens (a port that was just free). */
async function closedUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

/** The CLI as a child process against the real embedded system. */
describe('contextforge CLI against the embedded system', () => {
  let system: EmbeddedSystem;
  let client: ContextForgeClient;
  let env: Record<string, string>;

  beforeAll(async () => {
    system = await startTestSystem({ CONTEXTFORGE__EMBEDDED__AGENTS: '2' });
    const token = system.credentials?.clientToken ?? '';
    client = new ContextForgeClient({ baseUrl: system.url, token });
    env = { CONTEXTFORGE_GATEWAY: system.url, CF_TOKEN: token };
  });

  afterAll(async () => {
    await system?.stop();
  });

  const when = (predicate: (task: TaskView) => boolean): Promise<TaskView> => {
    const seen = deferred<TaskView>();
    const unsubscribe = system.onTaskChanged((task) => {
      if (predicate(task)) seen.resolve(task);
    });
    return seen.promise.finally(unsubscribe);
  };

  it('prints help and exits 0; a usage error exits 2', async () => {
    const help = await contextforge(['--help']);
    expect(help).toMatchObject({ code: 0, stderr: '' });
    expect(help.stdout).toContain('tasks watch <id>');
    const usage = await contextforge(['tasks', 'get']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('missing <id>');
  });

  it('tasks ls, get and watch a task that succeeds', async () => {
    const done = when((task) => task.type === 'echo' && task.status === 'succeeded');
    const { taskId } = await client.submitTask({ type: 'echo', input: { from: 'cli' } });
    expect((await done).id).toBe(taskId);

    const listed = await contextforge(['tasks', 'ls', '--type', 'echo', '--all'], { env });
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(new RegExp(`${taskId}\\s+echo\\s+succeeded\\s+local-agent-`));

    const json = await contextforge(['tasks', 'get', taskId, '--json'], { env });
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({
      task: { id: taskId, status: 'succeeded' },
      result: { output: { from: 'cli' } },
    });

    const watched = await contextforge(['tasks', 'watch', taskId], { env });
    expect(watched.code).toBe(0);
    expect(
      watched.stdout
        .trim()
        .split('\n')
        .map((line) => line.split('  ').slice(0, 2).join(' ')),
    ).toEqual(['#1 queued', '#2 dispatched', '#3 started', '#4 succeeded']);
    expect(watched.stderr).toContain(`Task ${taskId} succeeded.`);
  });

  it('tasks watch follows a running task until it is cancelled (exit 1), and tasks cancel', async () => {
    const running = when((task) => task.type === 'sleep' && task.status === 'running');
    const { taskId } = await client.submitTask({ type: 'sleep', input: { ms: 60_000 }, timeoutMs: 120_000 });
    await running;
    const watching = contextforge(['tasks', 'watch', taskId, '--json'], { env });
    const cancelled = await contextforge(['tasks', 'cancel', taskId], { env });
    expect(cancelled).toMatchObject({ code: 0, stdout: `Cancelled ${taskId} (sleep).\n` });
    const watched = await watching;
    expect(watched.code).toBe(1);
    const events = watched.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { seq: number; event: { type: string } });
    expect(events.map((event) => event.seq)).toEqual(events.map((_, index) => index + 1));
    expect(events.at(-1)?.event.type).toBe('cancelled');

    const again = await contextforge(['tasks', 'cancel', taskId], { env });
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('TASK_ALREADY_FINAL');
  });

  it('agents ls lists the local agents, reading the token from .contextforge/credentials.json', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'cf-cli-creds-'));
    mkdirSync(join(cwd, '.contextforge'));
    writeFileSync(
      join(cwd, '.contextforge', 'credentials.json'),
      JSON.stringify({ gatewayUrl: system.url, clientToken: system.credentials?.clientToken }),
    );
    const agents = await contextforge(['agents', 'ls'], { cwd });
    expect(agents.code).toBe(0);
    expect(agents.stdout).toMatch(/^ID\s+TYPE\s+STATUS/);
    expect(agents.stdout).toMatch(/local-agent-1\s+\S+\s+healthy\s+closed/);
    expect(agents.stdout).toMatch(/local-agent-2\s+\S+\s+healthy\s+closed/);
  });

  it('exits 3 for a rejected token, 4 for an unknown task and 5 for an unreachable gateway', async () => {
    const rejected = await contextforge(['tasks', 'ls', '--token', 'not-a-jwt'], {
      env: { CONTEXTFORGE_GATEWAY: system.url },
    });
    expect(rejected.code).toBe(3);
    expect(rejected.stderr).toContain('UNAUTHENTICATED, HTTP 401');

    const missing = await contextforge(['tasks', 'get', '00000000-0000-4000-8000-000000000000'], { env });
    expect(missing.code).toBe(4);
    expect(missing.stderr).toContain('TASK_NOT_FOUND');

    const nowhere = await closedUrl();
    const unreachable = await contextforge(['agents', 'ls', '--gateway', nowhere, '--token', 't']);
    expect(unreachable.code).toBe(5);
    expect(unreachable.stderr).toContain(`cannot reach the gateway at ${nowhere}: ECONNREFUSED`);
  });
});
