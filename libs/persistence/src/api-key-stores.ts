import { AppError, type ApiKeyStore, type StoredApiKey, type TaskRepository } from '@contextforge/contracts';
import type { Pool } from 'pg';
import { parseDatabaseUrl } from './database-url';
import { toStoredTimestamp } from './domain/task-records';
import { EMBEDDED_POOL_OPTIONS, startEmbeddedPostgres } from './embedded-postgres';
import { migrate } from './migrate';
import { PrismaTaskRepository } from './prisma/prisma-task-repository';
import { DEFAULT_SCHEMA, quoteSchema } from './sql-identifier';
import { translateError } from './translate-error';

/** An ApiKeyStore that owns what it opens: connect() before use, close() after. */
export interface ConnectableApiKeyStore extends ApiKeyStore {
  connect(): Promise<void>;
  close(): Promise<void>;
}

/**
 * API keys in process memory (tests, and the embedded mode with `memory://`). Same semantics as
 * the SQL store (one contract suite): timestamps kept at millisecond precision, copies handed out,
 * listed by creation time then id.
 */
export class MemoryApiKeyStore implements ConnectableApiKeyStore {
  private readonly keys = new Map<string, StoredApiKey>();

  async connect(): Promise<void> {
    // Nothing to open.
  }

  async close(): Promise<void> {
    // Nothing to release: the keys live and die with this object.
  }

  async create(key: StoredApiKey): Promise<void> {
    if (this.keys.has(key.id)) throw keyExists(key.id);
    this.keys.set(key.id, normalize(key));
  }

  async get(id: string): Promise<StoredApiKey | undefined> {
    const key = this.keys.get(id);
    return key && { ...key };
  }

  async list(): Promise<StoredApiKey[]> {
    return [...this.keys.values()].sort(byCreation).map((key) => ({ ...key }));
  }

  async revoke(id: string, at: string): Promise<StoredApiKey | undefined> {
    const key = this.keys.get(id);
    if (!key) return undefined;
    key.revokedAt ??= toStoredTimestamp(at);
    return { ...key };
  }
}

interface ApiKeyRow {
  id: string;
  name: string;
  role: StoredApiKey['role'];
  agent_id: string | null;
  hash: string;
  created_by: string;
  created_at: Date;
  revoked_at: Date | null;
}

/** Where a PostgresApiKeyStore finds its database. */
export type ApiKeyDatabase =
  /** Its own pool on a server (it applies the migrations). */
  | { url: string; schema?: string; poolSize?: number; migrationsDir?: string }
  /** Its own embedded PGlite (in memory, or in `dataDir` if no one else opened that folder). */
  | { embedded: { dataDir?: string }; migrationsDir?: string }
  /** The pool of a connected PrismaTaskRepository (not closed by this store). */
  | { repository: PrismaTaskRepository };

/**
 * API keys in the `api_keys` table (migration 0004), through `pg`. Hashes only: a `hash` that is
 * not a hex SHA-256 is VALIDATION_FAILED (and the table's CHECK refuses it too), so a key itself
 * cannot be stored by mistake.
 * A duplicate id is API_KEY_EXISTS; database failures are SERVICE_UNAVAILABLE or INTERNAL
 * (translate-error.ts).
 */
export class PostgresApiKeyStore implements ConnectableApiKeyStore {
  private owned: { pool: Pool; schema: string; closers: Array<() => Promise<void>> } | undefined;

  constructor(private readonly database: ApiKeyDatabase) {
    if ('url' in database) quoteSchema(database.schema ?? DEFAULT_SCHEMA);
  }

  async connect(): Promise<void> {
    if (this.owned || 'repository' in this.database) return;
    const closers: Array<() => Promise<void>> = [];
    try {
      const { Pool } = await import('pg');
      let pool: Pool;
      let schema = DEFAULT_SCHEMA;
      if ('embedded' in this.database) {
        const server = await startEmbeddedPostgres(this.database.embedded);
        closers.unshift(() => server.close());
        pool = new Pool({ connectionString: server.url, ...EMBEDDED_POOL_OPTIONS });
      } else {
        schema = this.database.schema ?? DEFAULT_SCHEMA;
        pool = new Pool({ connectionString: this.database.url, max: this.database.poolSize ?? 2 });
      }
      pool.on('error', () => undefined);
      closers.unshift(() => pool.end());
      await migrate(pool, { schema, migrationsDir: this.database.migrationsDir });
      this.owned = { pool, schema, closers };
    } catch (error) {
      for (const close of closers) await close().catch(() => undefined);
      throw translateError(error, 'connect (api keys)');
    }
  }

  async close(): Promise<void> {
    const owned = this.owned;
    this.owned = undefined;
    for (const close of owned?.closers ?? []) await close().catch(() => undefined);
  }

  async create(key: StoredApiKey): Promise<void> {
    const stored = normalize(key);
    const inserted = await this.query('creating an API key', (table) => ({
      text: `INSERT INTO ${table} (id, name, role, agent_id, hash, created_by, created_at, revoked_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (id) DO NOTHING`,
      values: [
        stored.id,
        stored.name,
        stored.role,
        stored.agentId ?? null,
        stored.hash,
        stored.createdBy,
        stored.createdAt,
        stored.revokedAt ?? null,
      ],
    }));
    if (inserted.rowCount !== 1) throw keyExists(key.id);
  }

  async get(id: string): Promise<StoredApiKey | undefined> {
    const result = await this.query('reading an API key', (table) => ({
      text: `SELECT * FROM ${table} WHERE id = $1`,
      values: [id],
    }));
    const row = result.rows[0];
    return row && fromRow(row);
  }

  async list(): Promise<StoredApiKey[]> {
    const result = await this.query('listing API keys', (table) => ({
      text: `SELECT * FROM ${table} ORDER BY created_at, id COLLATE "C"`,
      values: [],
    }));
    return result.rows.map(fromRow);
  }

  async revoke(id: string, at: string): Promise<StoredApiKey | undefined> {
    const revokedAt = toStoredTimestamp(at);
    // COALESCE keeps the first revocation time; RETURNING gives the row either way.
    const result = await this.query('revoking an API key', (table) => ({
      text: `UPDATE ${table} SET revoked_at = COALESCE(revoked_at, $2) WHERE id = $1 RETURNING *`,
      values: [id, revokedAt],
    }));
    const row = result.rows[0];
    return row && fromRow(row);
  }

  private async query(
    operation: string,
    statement: (table: string) => { text: string; values: unknown[] },
  ): Promise<{ rows: ApiKeyRow[]; rowCount: number | null }> {
    const { pool, schema } = this.target();
    try {
      return await pool.query<ApiKeyRow>(statement(`${quoteSchema(schema)}."api_keys"`));
    } catch (error) {
      throw translateError(error, operation);
    }
  }

  private target(): { pool: Pool; schema: string } {
    if ('repository' in this.database) return this.database.repository.sharedPool();
    if (!this.owned) throw new AppError('SERVICE_UNAVAILABLE', 'the API key store is not connected');
    return this.owned;
  }
}

export interface ApiKeyStoreOptions {
  /**
   * The TaskRepository of the same URL, if there is one: an SQL store then uses its connection
   * instead of opening its own. Required for `pglite://<folder>` when the repository is open (one
   * folder cannot be opened twice), and makes `pglite://memory` share the repository's database.
   */
  repository?: TaskRepository;
  /** Postgres schema (default: `?schema=` of a postgres URL, else public). Ignored when sharing. */
  schema?: string;
  /** Pool size of its own postgres:// pool (default 2). */
  poolSize?: number;
  /** Where the migration files are (default DEFAULT_MIGRATIONS_DIR). */
  migrationsDir?: string;
}

/**
 * The ApiKeyStore a database URL names (the forms of createTaskRepository): memory:// in memory,
 * pglite:// and postgres:// in the `api_keys` table. Nothing is opened here: call connect().
 */
export function createApiKeyStore(url: string, options: ApiKeyStoreOptions = {}): ConnectableApiKeyStore {
  const target = parseDatabaseUrl(url);
  if (target.kind === 'memory') return new MemoryApiKeyStore();
  if (options.repository instanceof PrismaTaskRepository) {
    return new PostgresApiKeyStore({ repository: options.repository });
  }
  const { migrationsDir } = options;
  if (target.kind === 'pglite') {
    return new PostgresApiKeyStore({ embedded: { dataDir: target.dataDir }, migrationsDir });
  }
  return new PostgresApiKeyStore({
    url: target.url,
    schema: options.schema ?? target.schema,
    poolSize: options.poolSize,
    migrationsDir,
  });
}

/** Checks what both stores refuse alike and puts timestamps in their stored form. */
function normalize(key: StoredApiKey): StoredApiKey {
  if (!/^[0-9a-f]{64}$/.test(key.hash)) {
    throw new AppError('VALIDATION_FAILED', 'an API key hash must be a hex SHA-256 (never the key itself)');
  }
  return {
    id: key.id,
    name: key.name,
    role: key.role,
    ...(key.agentId === undefined ? {} : { agentId: key.agentId }),
    hash: key.hash,
    createdBy: key.createdBy,
    createdAt: toStoredTimestamp(key.createdAt),
    ...(key.revokedAt === undefined ? {} : { revokedAt: toStoredTimestamp(key.revokedAt) }),
  };
}

function fromRow(row: ApiKeyRow): StoredApiKey {
  return {
    id: row.id,
    name: row.name,
    role: row.role,
    ...(row.agent_id === null ? {} : { agentId: row.agent_id }),
    hash: row.hash,
    createdBy: row.created_by,
    createdAt: row.created_at.toISOString(),
    ...(row.revoked_at === null ? {} : { revokedAt: row.revoked_at.toISOString() }),
  };
}

function byCreation(a: StoredApiKey, b: StoredApiKey): number {
  if (a.createdAt !== b.createdAt) return a.createdAt < b.createdAt ? -1 : 1;
  return a.id < b.id ? -1 : a.id === b.id ? 0 : 1;
}

function keyExists(id: string): AppError {
  return new AppError('API_KEY_EXISTS', `an API key with id ${id} exists already`, { details: { id } });
}
