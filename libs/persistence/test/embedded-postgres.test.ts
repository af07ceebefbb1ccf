import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { buildTask } from '@contextforge/testing';
import { createTaskRepository, startEmbeddedPostgres } from '../src';

// Starting PGlite takes a few seconds on a busy machine; each test starts at most two.
jest.setTimeout(120_000);

let dataDir: string;

beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'cf-pglite-'));
});

afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

it('serves the Postgres protocol on 127.0.0.1 at an ephemeral port', async () => {
  const server = await startEmbeddedPostgres();
  const client = new Client({ connectionString: server.url });
  try {
    expect(server.url).toMatch(/^postgresql:\/\/postgres@127\.0\.0\.1:\d+\/postgres$/);
    expect(new URL(server.url).port).not.toBe('5432');
    await client.connect();
    const { rows } = await client.query<{ version: string }>('SELECT version()');
    expect(rows[0]?.version).toContain('PGlite');
  } finally {
    await client.end();
    await server.close();
  }
});

it('keeps tasks in a pglite:// data folder across restarts (reconnecting finds the migrations applied)', async () => {
  const task = buildTask();
  const first = createTaskRepository(`pglite://${dataDir}`);
  await first.connect();
  await first.createTask(task);
  await first.close();

  const second = createTaskRepository(`pglite://${dataDir}`);
  await second.connect();
  try {
    expect(await second.getTask(task.id)).toMatchObject({ id: task.id, status: 'queued' });
    expect((await second.createTask(task)).created).toBe(false);
  } finally {
    await second.close();
  }
});
