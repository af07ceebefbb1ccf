import { readdirSync } from 'node:fs';
import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'pg';
import { DEFAULT_MIGRATIONS_DIR, migrate } from '../src';
import { TEST_DATABASE_URL, testSchema, withClient, type TestSchema } from './support/postgres';

/** The library's real migrations, in the order they apply. */
const ALL = readdirSync(DEFAULT_MIGRATIONS_DIR)
  .filter((file) => /^\d{4}_\w+\.sql$/.test(file))
  .sort();

const schemas: TestSchema[] = [];
const dirs: string[] = [];

function freshSchema(): TestSchema {
  const schema = testSchema('migrate');
  schemas.push(schema);
  return schema;
}

/** A migrations folder of the test's own, starting with a copy of the real 0001. */
async function migrationsDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'cf-migrations-'));
  dirs.push(dir);
  await copyFile(join(DEFAULT_MIGRATIONS_DIR, '0001_init.sql'), join(dir, '0001_init.sql'));
  return dir;
}

async function appliedNames(schema: string): Promise<string[]> {
  return withClient(async (client) => {
    const rows = await client.query<{ name: string }>(
      `SELECT name FROM "${schema}".schema_migrations ORDER BY name`,
    );
    return rows.rows.map((row) => row.name);
  });
}

async function tableExists(schema: string, table: string): Promise<boolean> {
  return withClient(async (client) => {
    const rows = await client.query(
      'SELECT 1 FROM information_schema.tables WHERE table_schema = $1 AND table_name = $2',
      [schema, table],
    );
    return rows.rowCount === 1;
  });
}

afterAll(async () => {
  await Promise.all(schemas.map((schema) => schema.drop()));
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

it('creates the schema, applies every migration once, and applies nothing the second time', async () => {
  const schema = freshSchema();

  const first = await migrate(TEST_DATABASE_URL, { schema: schema.name });
  const second = await migrate(TEST_DATABASE_URL, { schema: schema.name });

  expect(first).toEqual({ applied: ALL, alreadyApplied: [] });
  expect(second).toEqual({ applied: [], alreadyApplied: ALL });
  expect(await appliedNames(schema.name)).toEqual(ALL);
  expect(await tableExists(schema.name, 'tasks')).toBe(true);
});

it('lets concurrent runners (replicas starting together) apply each migration exactly once', async () => {
  const schema = freshSchema();

  const reports = await Promise.all(
    Array.from({ length: 4 }, () => migrate(TEST_DATABASE_URL, { schema: schema.name })),
  );

  expect(reports.filter((report) => report.applied.length === ALL.length)).toHaveLength(1);
  expect(reports.filter((report) => report.alreadyApplied.length === ALL.length)).toHaveLength(3);
  expect(await appliedNames(schema.name)).toEqual(ALL);
});

it('applies new files added later, in name order', async () => {
  const schema = freshSchema();
  const dir = await migrationsDir();
  await migrate(TEST_DATABASE_URL, { schema: schema.name, migrationsDir: dir });
  await writeFile(join(dir, '0003_c.sql'), 'CREATE TABLE c (id int REFERENCES b (id));');
  await writeFile(join(dir, '0002_b.sql'), 'CREATE TABLE b (id int PRIMARY KEY);');
  await writeFile(join(dir, 'README.md'), 'not a migration');

  expect(await migrate(TEST_DATABASE_URL, { schema: schema.name, migrationsDir: dir })).toEqual({
    applied: ['0002_b.sql', '0003_c.sql'],
    alreadyApplied: ['0001_init.sql'],
  });
});

it('rolls back a failing migration completely and applies it once fixed', async () => {
  const schema = freshSchema();
  const dir = await migrationsDir();
  await writeFile(join(dir, '0002_broken.sql'), 'CREATE TABLE extra (id int);\nSELECT 1 / 0;');

  await expect(migrate(TEST_DATABASE_URL, { schema: schema.name, migrationsDir: dir })).rejects.toMatchObject(
    {
      code: 'INTERNAL',
    },
  );
  expect(await appliedNames(schema.name)).toEqual(['0001_init.sql']);
  expect(await tableExists(schema.name, 'extra')).toBe(false);

  await writeFile(join(dir, '0002_broken.sql'), 'CREATE TABLE extra (id int);');
  expect((await migrate(TEST_DATABASE_URL, { schema: schema.name, migrationsDir: dir })).applied).toEqual([
    '0002_broken.sql',
  ]);
  expect(await tableExists(schema.name, 'extra')).toBe(true);
});

it('refuses to run when an applied migration was edited', async () => {
  const schema = freshSchema();
  const dir = await migrationsDir();
  await migrate(TEST_DATABASE_URL, { schema: schema.name, migrationsDir: dir });
  await writeFile(join(dir, '0001_init.sql'), '-- edited\n', { flag: 'a' });

  await expect(migrate(TEST_DATABASE_URL, { schema: schema.name, migrationsDir: dir })).rejects.toMatchObject(
    {
      code: 'INTERNAL',
      retryable: false,
      message: expect.stringContaining('0001_init.sql was changed after it was applied'),
    },
  );
});

it('borrows a connection from a pool without changing its search_path', async () => {
  const schema = freshSchema();
  const pool = new Pool({ connectionString: TEST_DATABASE_URL, max: 1 });
  try {
    const before = (await pool.query<{ search_path: string }>('SHOW search_path')).rows[0]?.search_path;
    const report = await migrate(pool, { schema: schema.name });
    const after = (await pool.query<{ search_path: string }>('SHOW search_path')).rows[0]?.search_path;

    expect(report.applied).toEqual(ALL);
    expect(after).toBe(before);
  } finally {
    await pool.end();
  }
});

it('numbers the applied events of existing tasks when 0003 adds event sequence numbers', async () => {
  const schema = freshSchema();
  const dir = await migrationsDir();
  await copyFile(join(DEFAULT_MIGRATIONS_DIR, '0002_leases.sql'), join(dir, '0002_leases.sql'));
  await migrate(TEST_DATABASE_URL, { schema: schema.name, migrationsDir: dir });
  await withClient(async (client) => {
    await client.query(`SET search_path TO "${schema.name}"`);
    for (const id of ['t1', 't2', 't3']) {
      await client.query(
        `INSERT INTO tasks (id, client_id, type, input, priority, required_capabilities, timeout_ms, max_attempts,
           status, attempt) VALUES ($1, 'c', 'analyze.file', 'null', 5, '{}', 1000, 3, 'running', 1)`,
        [id],
      );
    }
    // (id, task, outcome, created_at, payload.at): e2 and e3 were stored in one batch.
    const events = [
      ['e1', 't1', 'applied', '2030-01-01T00:00:00.000Z', '2030-01-01T00:00:00.000Z'],
      ['e3', 't1', 'applied', '2030-01-01T00:00:01.000Z', '2030-01-01T00:00:00.500Z'],
      ['e2', 't1', 'applied', '2030-01-01T00:00:01.000Z', '2030-01-01T00:00:00.600Z'],
      ['e4', 't1', 'ignored', '2030-01-01T00:00:02.000Z', '2030-01-01T00:00:02.000Z'],
      ['e5', 't1', 'applied', '2030-01-01T00:00:03.000Z', '2030-01-01T00:00:03.000Z'],
      ['e6', 't2', 'applied', '2030-01-01T00:00:00.000Z', '2030-01-01T00:00:00.000Z'],
    ];
    for (const [id, taskId, outcome, createdAt, at] of events) {
      await client.query(
        `INSERT INTO task_events (id, task_id, attempt, type, payload, outcome, created_at)
         VALUES ($1, $2, 1, 'progress', jsonb_build_object('at', $3::text), $4, $5)`,
        [id, taskId, at, outcome, createdAt],
      );
    }
  });
  await copyFile(
    join(DEFAULT_MIGRATIONS_DIR, '0003_task_event_seq.sql'),
    join(dir, '0003_task_event_seq.sql'),
  );

  expect((await migrate(TEST_DATABASE_URL, { schema: schema.name, migrationsDir: dir })).applied).toEqual([
    '0003_task_event_seq.sql',
  ]);
  const { events, tasks } = await withClient(async (client) => ({
    events: (
      await client.query<{ id: string; seq: number | null }>(
        `SELECT id, seq FROM "${schema.name}".task_events ORDER BY id`,
      )
    ).rows,
    tasks: (
      await client.query<{ id: string; event_seq: number }>(
        `SELECT id, event_seq FROM "${schema.name}".tasks ORDER BY id`,
      )
    ).rows,
  }));
  expect(events).toEqual([
    { id: 'e1', seq: 1 },
    { id: 'e2', seq: 3 },
    { id: 'e3', seq: 2 },
    { id: 'e4', seq: null },
    { id: 'e5', seq: 4 },
    { id: 'e6', seq: 1 },
  ]);
  expect(tasks).toEqual([
    { id: 't1', event_seq: 4 },
    { id: 't2', event_seq: 1 },
    { id: 't3', event_seq: 0 },
  ]);
});

it('rejects a schema name that is not a plain identifier', async () => {
  await expect(migrate(TEST_DATABASE_URL, { schema: 'x"; DROP TABLE y; --' })).rejects.toMatchObject({
    code: 'CONFIG_INVALID',
  });
});

it('reports an unreachable database as SERVICE_UNAVAILABLE', async () => {
  await expect(migrate('postgresql://postgres@127.0.0.1:1/test', { schema: 'unused' })).rejects.toMatchObject(
    {
      code: 'SERVICE_UNAVAILABLE',
      retryable: true,
    },
  );
});
