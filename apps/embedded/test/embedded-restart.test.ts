import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createTaskRepository } from '@contextforge/persistence';
import { findFreePorts, waitFor } from '@contextforge/testing';

// The issue's first reproduction, as a user would do it: the embedded system on a durable PGlite
// directory, 300 sleep tasks of 2 s, `kill -9` with about 30 % done, and a restart on the same
// directory. Every task must succeed with exactly one result.
const ROOT = resolve(__dirname, '../../..');
const TASKS = 300;
const SLEEP_MS = 2_000;

interface Running {
  child: ChildProcess;
  exited: Promise<void>;
  output: string[];
}

let dir: string;
let port: number;
let token: string;

beforeAll(async () => {
  execFileSync(process.execPath, [join(ROOT, 'tools/scripts/build-app.mjs'), 'embedded'], { cwd: ROOT });
  dir = mkdtempSync(join(tmpdir(), 'cf-embedded-restart-'));
  [port = 0] = await findFreePorts(1);
}, 120_000);

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function start(): Running {
  const output: string[] = [];
  const child = spawn(process.execPath, [join(ROOT, 'dist/apps/embedded/main.js')], {
    cwd: dir,
    env: {
      PATH: process.env['PATH'] ?? '',
      PORT: String(port),
      DATABASE_URL: `pglite://${join(dir, 'db')}`,
      CONTEXTFORGE__SECURITY__CREDENTIALS_FILE: join(dir, 'credentials.json'),
      CONTEXTFORGE__COORDINATOR__GRPC__ENABLED: 'false',
      CONTEXTFORGE__NETWORK__RATE_LIMITING__PER_IP: '100000/min',
      CONTEXTFORGE__LOGGING__LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  return { child, exited, output };
}

async function ready(running: Running): Promise<void> {
  await waitFor(() => running.output.join('').includes('is listening on'), {
    timeoutMs: 60_000,
    label: `the embedded system to listen (output: ${running.output.join('').slice(-2000)})`,
  });
  token = (JSON.parse(readFileSync(join(dir, 'credentials.json'), 'utf8')) as { clientToken: string })
    .clientToken;
}

async function api<T>(path: string, init: RequestInit = {}): Promise<T> {
  const response = await fetch(`http://127.0.0.1:${port}${path}`, {
    ...init,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...init.headers },
  });
  if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

async function succeededCount(): Promise<number> {
  let count = 0;
  let cursor: string | undefined;
  do {
    const page = await api<{ tasks: unknown[]; nextCursor?: string }>(
      `/tasks?status=succeeded&limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
    );
    count += page.tasks.length;
    cursor = page.nextCursor;
  } while (cursor);
  return count;
}

it(`resumes every queued and running task after kill -9 (${TASKS} x sleep ${SLEEP_MS} ms)`, async () => {
  const first = start();
  await ready(first);
  const tasks = Array.from({ length: TASKS }, (_, index) => ({
    type: 'sleep',
    input: { ms: SLEEP_MS },
    idempotencyKey: `restart-${index}`,
  }));
  const accepted = await api<{ tasks: Array<{ taskId: string }> }>('/tasks/batch', {
    method: 'POST',
    body: JSON.stringify({ tasks }),
  });
  const ids = accepted.tasks.map((task) => task.taskId);
  expect(new Set(ids).size).toBe(TASKS);
  await waitFor(async () => (await succeededCount()) >= TASKS * 0.3, {
    timeoutMs: 120_000,
    intervalMs: 250,
    label: 'about 30 % of the tasks to succeed',
  });
  first.child.kill('SIGKILL');
  await first.exited;

  const second = start();
  try {
    await ready(second);
    await waitFor(async () => (await succeededCount()) === TASKS, {
      timeoutMs: 180_000,
      intervalMs: 500,
      label: 'every task to succeed after the restart',
    });
    for (const id of ids) {
      const result = await api<{ taskId: string; output: { sleptMs: number } }>(`/tasks/${id}/result`);
      expect(result).toMatchObject({ taskId: id, output: { sleptMs: SLEEP_MS } });
    }
  } finally {
    second.child.kill('SIGTERM');
    await second.exited;
  }

  // The durable history: one applied success and one result per task, whatever ran twice.
  const store = createTaskRepository(`pglite://${join(dir, 'db')}`);
  await store.connect();
  try {
    let succeededEvents = 0;
    for (const id of ids) {
      const history = await store.taskEvents(id, 0, 1000);
      const successes = history.filter((entry) => entry.event.type === 'succeeded');
      expect(successes).toHaveLength(1);
      succeededEvents += successes.length;
      expect(await store.getResult(id)).toBeDefined();
    }
    expect(succeededEvents).toBe(TASKS);
  } finally {
    await store.close();
  }
}, 420_000);
