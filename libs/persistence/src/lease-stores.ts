import { AppError, type LeaseStore } from '@contextforge/contracts';
import type { Pool } from 'pg';
import { parseDatabaseUrl } from './database-url';
import { migrate } from './migrate';
import { quoteSchema } from './sql-identifier';
import { translateError } from './translate-error';

/** Leases in one process (the embedded mode, tests): expiry on this process's monotonic clock. */
export class MemoryLeaseStore implements LeaseStore {
  private readonly leases = new Map<string, { holder: string; expiresAt: number }>();

  constructor(private readonly clock: () => number = () => performance.now()) {}

  async tryAcquire(name: string, holder: string, ttlMs: number): Promise<boolean> {
    const now = this.clock();
    const lease = this.leases.get(name);
    if (lease && lease.holder !== holder && lease.expiresAt > now) return false;
    this.leases.set(name, { holder, expiresAt: now + ttlMs });
    return true;
  }

  async release(name: string, holder: string): Promise<void> {
    if (this.leases.get(name)?.holder === holder) this.leases.delete(name);
  }

  async close(): Promise<void> {
    // Nothing to release: the leases live and die with this object.
  }
}

/**
 * Leases in PostgreSQL: one upsert that takes the row only when it is ours or expired, judged by
 * the database's clock, so replicas never compare their own clocks.
 */
export class PostgresLeaseStore implements LeaseStore {
  private pool: Pool | undefined;

  constructor(private readonly url: string) {}

  async connect(): Promise<void> {
    const target = parseDatabaseUrl(this.url);
    if (target.kind !== 'postgres') {
      throw new AppError('CONFIG_INVALID', 'leases need a postgres:// database.url');
    }
    const { Pool } = await import('pg');
    const schema = target.schema ?? 'public';
    this.pool = new Pool({
      connectionString: target.url,
      max: 2,
      options: `-c search_path=${quoteSchema(schema)}`,
    });
    // An idle connection that breaks (a database restart) is dropped; the next query reconnects.
    this.pool.on('error', () => undefined);
    try {
      await migrate(this.pool, { schema });
    } catch (error) {
      await this.close();
      throw translateError(error, 'applying migrations');
    }
  }

  async tryAcquire(name: string, holder: string, ttlMs: number): Promise<boolean> {
    try {
      const result = await this.requirePool().query(
        `INSERT INTO leases (name, holder, expires_at) VALUES ($1, $2, now() + $3 * interval '1 millisecond')
         ON CONFLICT (name) DO UPDATE SET holder = EXCLUDED.holder, expires_at = EXCLUDED.expires_at
         WHERE leases.holder = EXCLUDED.holder OR leases.expires_at < now()
         RETURNING holder`,
        [name, holder, ttlMs],
      );
      return result.rowCount === 1;
    } catch (error) {
      throw translateError(error, 'acquiring a lease');
    }
  }

  async release(name: string, holder: string): Promise<void> {
    try {
      await this.requirePool().query('DELETE FROM leases WHERE name = $1 AND holder = $2', [name, holder]);
    } catch (error) {
      throw translateError(error, 'releasing a lease');
    }
  }

  async close(): Promise<void> {
    await this.pool?.end();
    this.pool = undefined;
  }

  private requirePool(): Pool {
    if (!this.pool) throw new AppError('SERVICE_UNAVAILABLE', 'the lease store is not connected');
    return this.pool;
  }
}

/**
 * The lease store for a database URL: PostgreSQL for postgres:// (replicas in several processes),
 * in memory otherwise (pglite:// and memory:// serve one process).
 */
export async function createLeaseStore(url: string): Promise<LeaseStore & { close(): Promise<void> }> {
  if (parseDatabaseUrl(url).kind !== 'postgres') return new MemoryLeaseStore();
  const store = new PostgresLeaseStore(url);
  await store.connect();
  return store;
}
