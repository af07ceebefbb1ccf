import type { TaskQueue, TaskRepository } from '@contextforge/contracts';
import { parseDatabaseUrl } from './database-url';
import { MemoryTaskRepository } from './memory-task-repository';
import { PrismaTaskRepository } from './prisma/prisma-task-repository';

export interface TaskRepositoryOptions {
  /** Postgres schema for the tables (default: `?schema=` of a postgres URL, else public). */
  schema?: string;
  /** Apply pending migrations in connect() (default true; PGlite always migrates). */
  migrate?: boolean;
  /** Where the migration files are (default DEFAULT_MIGRATIONS_DIR; bundled apps ship a copy). */
  migrationsDir?: string;
  /** Pool size for postgres:// (default 10). */
  poolSize?: number;
  /** Longest wait for a connection to start a transaction (default 10 s). */
  transactionMaxWaitMs?: number;
  /** Longest a transaction may run (default 30 s). */
  transactionTimeoutMs?: number;
  /**
   * Task inputs and outputs whose JSON is larger than this (bytes) stay out of the task-changes
   * messages written to the outbox (config `payloads.inline_limit`; default 64 KiB; boundTaskChange).
   */
  inlineLimitBytes?: number;
}

/** The task tables behind both of their ports: the result-store's repository and the schedulers' queue. */
export type TaskStore = TaskRepository & TaskQueue;

/**
 * Builds the TaskRepository a URL names (see DatabaseTarget for the forms). Nothing is opened
 * here: call connect(), which loads the heavy clients, starts the embedded server for pglite://,
 * and applies migrations. The repository owns what it opens; close() releases all of it.
 * An unknown scheme or a bad schema name throws CONFIG_INVALID.
 */
export function createTaskRepository(url: string, options: TaskRepositoryOptions = {}): TaskStore {
  const target = parseDatabaseUrl(url);
  const common = {
    migrationsDir: options.migrationsDir,
    transactionMaxWaitMs: options.transactionMaxWaitMs,
    transactionTimeoutMs: options.transactionTimeoutMs,
    inlineLimitBytes: options.inlineLimitBytes,
  };
  switch (target.kind) {
    case 'memory':
      return new MemoryTaskRepository({ inlineLimitBytes: options.inlineLimitBytes });
    case 'pglite':
      return new PrismaTaskRepository({
        ...common,
        database: { embedded: { dataDir: target.dataDir } },
        schema: options.schema,
      });
    case 'postgres':
      return new PrismaTaskRepository({
        ...common,
        database: { url: target.url },
        schema: options.schema ?? target.schema,
        migrate: options.migrate,
        poolSize: options.poolSize,
      });
  }
}
