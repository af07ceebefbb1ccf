import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { AppError } from '@contextforge/contracts';
import type { ClientBase, ClientConfig, Pool } from 'pg';
import { DEFAULT_SCHEMA, quoteSchema } from './sql-identifier';
import { translateError } from './translate-error';

/**
 * The SQL migration runner. Prisma's own `migrate` needs its native schema engine, which is not
 * available everywhere we build, so the database is shaped by the plain SQL files in
 * libs/persistence/migrations instead (and a test checks that the Prisma schema matches them).
 *
 * - Files named `NNNN_name.sql` are applied in name order, each once, each in its own transaction
 *   together with its row in `<schema>.schema_migrations` (name, sha256 checksum, applied_at).
 * - A session-level advisory lock per schema serialises runners, so replicas that start together
 *   wait for each other instead of racing; the second finds nothing left to do.
 * - A file changed after it was applied (checksum differs) stops the run: migrations are
 *   append-only. Rows for files this build does not have (a newer build migrated) are ignored.
 * - `schema` (default public) is created if missing and is the search_path while a file runs, so
 *   files use unqualified names and tests can migrate a schema of their own.
 *
 * Left out: down migrations (roll forward with a new file) and non-transactional statements such
 * as CREATE INDEX CONCURRENTLY (add a marker for them when one is needed).
 */
export interface MigrateOptions {
  /** Postgres schema to create if missing and migrate (default public). */
  schema?: string;
  /** Folder holding the NNNN_name.sql files (default: this library's migrations folder). */
  migrationsDir?: string;
}

export interface MigrationReport {
  /** Files applied by this run, in order. */
  applied: string[];
  /** Files that had been applied before. */
  alreadyApplied: string[];
}

/** A connection string, a `pg` client config, or a `pg` Pool to borrow one connection from. */
export type MigrationTarget = string | ClientConfig | Pool;

/**
 * Where the migrations live: beside the library in the source tree (src/ -> ../migrations), or
 * beside main.js in a bundled app (tools/scripts/build-app.mjs copies them there).
 */
export const DEFAULT_MIGRATIONS_DIR =
  [resolve(__dirname, '../migrations'), resolve(__dirname, 'migrations')].find((dir) => existsSync(dir)) ??
  resolve(__dirname, '../migrations');

const MIGRATION_FILE = /^\d{4}_[A-Za-z0-9_]+\.sql$/;
/** First key of the advisory lock: "CFMG". The second is derived from the schema name. */
const LOCK_NAMESPACE = 0x43464d47;

interface MigrationFile {
  name: string;
  sql: string;
  checksum: string;
}

export async function migrate(
  target: MigrationTarget,
  options: MigrateOptions = {},
): Promise<MigrationReport> {
  const schema = options.schema ?? DEFAULT_SCHEMA;
  const quoted = quoteSchema(schema);
  const files = await readMigrations(options.migrationsDir ?? DEFAULT_MIGRATIONS_DIR);
  const connection = await connect(target);
  const lock = [LOCK_NAMESPACE, lockKey(schema)];
  // A connection that breaks while checked out emits 'error'; the failing query reports it.
  const ignore = (): void => undefined;
  connection.client.on('error', ignore);
  let failure: unknown;
  try {
    await connection.client.query('SELECT pg_advisory_lock($1::int, $2::int)', lock);
    const report = await applyPending(connection.client, quoted, files);
    await connection.client.query('SELECT pg_advisory_unlock($1::int, $2::int)', lock);
    return report;
  } catch (error) {
    failure = error;
    throw translateError(error, 'migrate');
  } finally {
    connection.client.off('error', ignore);
    // On failure the connection is closed rather than reused, which also drops the session lock.
    await connection.release(failure);
  }
}

async function applyPending(
  client: ClientBase,
  schema: string,
  files: MigrationFile[],
): Promise<MigrationReport> {
  await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
  await client.query(
    `CREATE TABLE IF NOT EXISTS ${schema}.schema_migrations (
       name text PRIMARY KEY,
       checksum text NOT NULL,
       applied_at timestamptz NOT NULL DEFAULT now()
     )`,
  );
  const rows = await client.query<{ name: string; checksum: string }>(
    `SELECT name, checksum FROM ${schema}.schema_migrations`,
  );
  const done = new Map(rows.rows.map((row) => [row.name, row.checksum]));
  const report: MigrationReport = { applied: [], alreadyApplied: [] };
  for (const file of files) {
    const checksum = done.get(file.name);
    if (checksum !== undefined) {
      if (checksum !== file.checksum) {
        throw new AppError('INTERNAL', `migration ${file.name} was changed after it was applied`, {
          retryable: false,
          details: { migration: file.name },
        });
      }
      report.alreadyApplied.push(file.name);
      continue;
    }
    await client.query('BEGIN');
    try {
      await client.query(`SET LOCAL search_path TO ${schema}`);
      await client.query(file.sql);
      await client.query(`INSERT INTO ${schema}.schema_migrations (name, checksum) VALUES ($1, $2)`, [
        file.name,
        file.checksum,
      ]);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
    report.applied.push(file.name);
  }
  return report;
}

async function readMigrations(dir: string): Promise<MigrationFile[]> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((name) => MIGRATION_FILE.test(name)).sort();
  } catch (error) {
    throw new AppError('INTERNAL', `cannot read migrations from ${dir}`, { retryable: false, cause: error });
  }
  return Promise.all(
    names.map(async (name) => {
      const sql = await readFile(join(dir, name), 'utf8');
      return { name, sql, checksum: createHash('sha256').update(sql).digest('hex') };
    }),
  );
}

interface MigrationConnection {
  client: ClientBase;
  release(failure: unknown): Promise<void>;
}

async function connect(target: MigrationTarget): Promise<MigrationConnection> {
  try {
    if (isPool(target)) {
      const client = await target.connect();
      return { client, release: async (failure) => client.release(failure === undefined ? undefined : true) };
    }
    const { Client } = await import('pg');
    const client = new Client(typeof target === 'string' ? { connectionString: target } : target);
    await client.connect();
    return { client, release: () => client.end().catch(() => undefined) };
  } catch (error) {
    throw translateError(error, 'migrate (connect)');
  }
}

function isPool(target: MigrationTarget): target is Pool {
  return typeof target === 'object' && typeof (target as Partial<Pool>).connect === 'function';
}

/** A stable signed 32-bit key per schema name (FNV-1a). */
function lockKey(schema: string): number {
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(schema, 'utf8')) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193);
  }
  return hash | 0;
}
