import { AppError } from '@contextforge/contracts';
import type { Pool } from 'pg';
import { assertHit, gcraDecision, gcraParameters } from './gcra';
import type { RateLimitDecision, RateLimitRate, RateLimitStore } from './rate-limit-store';

export interface PostgresRateLimitStoreOptions {
  /** postgres:// URL of the database (without a `schema` parameter; pass `schema` instead). */
  url: string;
  /** Schema of the table, created if missing (default `public`). */
  schema?: string;
  /** Table name (default `rate_limits`). */
  table?: string;
  /** Pool size (default 10). */
  poolMax?: number;
  /** How often keys at rest are deleted, in ms (default 60,000; 0 turns it off). */
  cleanupIntervalMs?: number;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/**
 * Rate limits shared by every gateway replica, in PostgreSQL. Each hit is one atomic statement:
 * an INSERT ... ON CONFLICT DO UPDATE that computes the key's new TAT from the row it locks, on
 * the database's clock, so concurrent hits from any number of replicas are serialised per key and
 * no replica's clock matters.
 *
 * The store owns its table rather than taking it from the migrations of libs/persistence because
 * counters are not data: nothing else reads them, losing them only hands out fresh allowances,
 * and they churn on every request. So the table is UNLOGGED (no WAL: cheap writes, emptied after
 * a crash, not replicated to standbys), lives in whatever database and schema the rate-limit URL
 * names (possibly not the result-store's), and is created by `connect()` when missing. Keys at
 * rest are deleted every `cleanupIntervalMs` by each replica (harmless when they overlap).
 *
 * Left out: an index on `tat` for the cleanup (it would slow every hit; the cleanup scans a table
 * that holds only recently active keys).
 */
export class PostgresRateLimitStore implements RateLimitStore {
  private pool: Pool | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly qualified: string;
  private readonly schema: string;

  constructor(private readonly options: PostgresRateLimitStoreOptions) {
    this.schema = options.schema ?? 'public';
    const table = options.table ?? 'rate_limits';
    for (const name of [this.schema, table]) {
      if (!IDENTIFIER.test(name)) {
        throw new AppError(
          'CONFIG_INVALID',
          `rate-limit store: ${JSON.stringify(name)} is not a plain SQL identifier`,
        );
      }
    }
    this.qualified = `"${this.schema}"."${table}"`;
  }

  /** Opens the pool and creates the schema and table if they are missing. */
  async connect(): Promise<void> {
    const { Pool } = await import('pg');
    const pool = new Pool({ connectionString: this.options.url, max: this.options.poolMax ?? 10 });
    // An idle connection that breaks is dropped by the pool; the next query opens another.
    pool.on('error', () => undefined);
    this.pool = pool;
    const client = await pool.connect().catch((error: unknown) => {
      throw unavailable('connecting', error);
    });
    try {
      await client.query('BEGIN');
      // Replicas starting together would race on CREATE ... IF NOT EXISTS (a unique violation in
      // the catalog); one at a time.
      await client.query(`SELECT pg_advisory_xact_lock(hashtext('contextforge.rate_limits'))`);
      await client.query(`CREATE SCHEMA IF NOT EXISTS "${this.schema}"`);
      await client.query(
        `CREATE UNLOGGED TABLE IF NOT EXISTS ${this.qualified} (
           key text PRIMARY KEY,
           tat bigint NOT NULL,
           allowed boolean NOT NULL,
           hit_at bigint NOT NULL
         )`,
      );
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      await this.close();
      throw unavailable('creating the rate-limit table', error);
    } finally {
      client.release();
    }
    const interval = this.options.cleanupIntervalMs ?? 60_000;
    if (interval > 0) {
      this.timer = setInterval(() => void this.cleanup().catch(() => undefined), interval);
      this.timer.unref();
    }
  }

  async hit(key: string, cost: number, rate: RateLimitRate): Promise<RateLimitDecision> {
    assertHit(cost, rate);
    const { intervalUs, capacityUs } = gcraParameters(rate);
    // Times are whole microseconds of the database's clock (see gcra.ts). $2 is what this hit
    // adds to the TAT, $3 how far ahead of now the TAT may run; `hit_at` holds now, which the DO
    // UPDATE branch reads as EXCLUDED.hit_at. The arithmetic of gcraHit, with the refused branch
    // leaving the TAT alone.
    let row: { tat: string; allowed: boolean; hit_at: string } | undefined;
    try {
      const result = await this.requirePool().query<{ tat: string; allowed: boolean; hit_at: string }>(
        `INSERT INTO ${this.qualified} AS b (key, tat, allowed, hit_at)
         SELECT $1, CASE WHEN $2::bigint <= $3::bigint THEN h.now + $2::bigint ELSE h.now END,
                $2::bigint <= $3::bigint, h.now
           FROM (SELECT (extract(epoch FROM clock_timestamp()) * 1000000)::bigint AS now) AS h
         ON CONFLICT (key) DO UPDATE SET
           allowed = greatest(b.tat, EXCLUDED.hit_at) + $2::bigint - EXCLUDED.hit_at <= $3::bigint,
           tat = CASE WHEN greatest(b.tat, EXCLUDED.hit_at) + $2::bigint - EXCLUDED.hit_at <= $3::bigint
                      THEN greatest(b.tat, EXCLUDED.hit_at) + $2::bigint ELSE b.tat END,
           hit_at = EXCLUDED.hit_at
         RETURNING tat, allowed, hit_at`,
        [key, cost * intervalUs, capacityUs],
      );
      row = result.rows[0];
    } catch (error) {
      throw unavailable('counting a hit', error);
    }
    if (!row) throw new AppError('INTERNAL', 'the rate-limit upsert returned no row');
    return gcraDecision(Number(row.tat), Number(row.hit_at), row.allowed, cost, rate);
  }

  /** Deletes keys at rest (their TAT has passed); resolves how many. */
  async cleanup(): Promise<number> {
    try {
      const result = await this.requirePool().query(
        `DELETE FROM ${this.qualified} WHERE tat <= (extract(epoch FROM clock_timestamp()) * 1000000)::bigint`,
      );
      return result.rowCount ?? 0;
    } catch (error) {
      throw unavailable('deleting keys at rest', error);
    }
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    const pool = this.pool;
    this.pool = undefined;
    await pool?.end();
  }

  private requirePool(): Pool {
    if (!this.pool) throw new AppError('SERVICE_UNAVAILABLE', 'the rate-limit store is not connected');
    return this.pool;
  }
}

function unavailable(doing: string, error: unknown): AppError {
  if (error instanceof AppError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new AppError('SERVICE_UNAVAILABLE', `rate-limit store: ${doing} failed: ${message}`, {
    cause: error,
  });
}
