import {
  AppError,
  DEFAULT_INLINE_LIMIT_BYTES,
  type AttemptRef,
  type ClaimOutcome,
  type ClaimRequest,
  type FailedAttempt,
  type LiveAgent,
  type QueueAgent,
  type QueueFigures,
  type RetryDecision,
  type SerializedError,
  type TaskChangedMessage,
  type TaskQueue,
  type CreateTaskItem,
  type CreateTaskResult,
  type CreateTaskOptions,
  type CreateTaskOutcome,
  type EventOutcome,
  type ListTasksFilter,
  type PayloadOwner,
  type PayloadRef,
  type StoredPayload,
  type SymbolSearchFilter,
  type SymbolSearchPage,
  type Task,
  type TaskEvent,
  type TaskFigures,
  type TaskPage,
  type TaskRepository,
  type TaskResultView,
  type TaskStatus,
  type TaskStreamEvent,
  type TaskView,
} from '@contextforge/contracts';
import type { Pool } from 'pg';
import {
  EMBEDDED_POOL_OPTIONS,
  startEmbeddedPostgres,
  type EmbeddedPostgresOptions,
} from '../embedded-postgres';
import { resolveListQuery, toPage } from '../domain/list-query';
import { zeroByStatus } from '../domain/task-figures';
import {
  assertSameSubmission,
  cachedCompletion,
  creationEvent,
  errorResult,
  newTaskView,
  okResult,
} from '../domain/task-records';
import type { Prisma, PrismaClient, TaskResult as TaskResultRow } from '../generated/prisma/client';
import { migrate } from '../migrate';
import { DEFAULT_SCHEMA, quoteSchema } from '../sql-identifier';
import { translateError } from '../translate-error';
import { applyEventBatch } from './apply-event-batch';
import {
  claimSql,
  expireSql,
  failAttemptsOnSql,
  failOrphansSql,
  markUnrunnableSql,
  queueFiguresSql,
  relayOutboxSql,
  releaseSql,
  confirmDispatchedSql,
  settleFailuresSql,
  type QueueSql,
} from './queue-sql';
import { loadGeneratedClient } from './load-client';
import { loadPayloadsSql, putOutputPayloadSql } from './payload-sql';
import { readTaskFigures } from './task-figures-sql';
import { searchSymbolsSql } from './symbol-search-sql';
import { resultViewFromRow, taskViewFromRow } from './task-rows';
import {
  cacheKeysWithSourceSql,
  cacheSourceSql,
  insertCachedTaskSql,
  insertTaskSql,
  insertTasksSql,
  type NewTaskRow,
  type PrismaNamespace,
  type Tables,
} from './write-sql';

export interface PrismaTaskRepositoryOptions {
  /** A postgres:// URL, or an embedded server this repository starts (and stops on close). */
  database: { url: string } | { embedded: EmbeddedPostgresOptions };
  /** Postgres schema holding the tables (default public). */
  schema?: string;
  /** Apply pending migrations in connect() (default true). */
  migrate?: boolean;
  /** Where the migration files are (default DEFAULT_MIGRATIONS_DIR; bundled apps ship a copy). */
  migrationsDir?: string;
  /** Connections in the pool (default 10; always 1 for an embedded server). */
  poolSize?: number;
  /** Longest wait for a connection to start a transaction (default 10 s). */
  transactionMaxWaitMs?: number;
  /** Longest a transaction may run before Prisma rolls it back (default 30 s). */
  transactionTimeoutMs?: number;
  /** Inputs and outputs larger than this stay out of outbox messages (default 64 KiB; boundTaskChange). */
  inlineLimitBytes?: number;
}

/**
 * How long the server lets a transaction wait on its client before it ends the session: also the
 * longest a paused replica can hold the claim lock (and so stall every replica's claims).
 */
const IDLE_IN_TRANSACTION_TIMEOUT_MS = 5_000;

interface Connection {
  prisma: PrismaClient;
  lib: PrismaNamespace;
  tables: Tables;
  pool: Pool;
  /** Closers in the order they must run. */
  closers: Array<() => Promise<void>>;
}

/**
 * TaskRepository on PostgreSQL (a server, or embedded PGlite) through Prisma with
 * @prisma/adapter-pg over a `pg` Pool the repository owns. Heavy modules (pg, Prisma, PGlite)
 * load in connect(); close() releases everything, in reverse order of acquisition.
 *
 * - createTask: one statement inserting the task and its `queued` creation event (write-sql.ts);
 *   on a conflict the existing task is returned (created=false) or IDEMPOTENCY_CONFLICT thrown.
 *   With a cache key that has a source (a lookup first), one statement inserting the task
 *   succeeded with both events and the copied result instead.
 * - searchSymbols: one statement over the GIN index (symbol-search-sql.ts).
 *   A repeated id is treated like a repeated idempotency key.
 * - applyEvents: see apply-event-batch.ts (one transaction per batch, row locks).
 * - putOutputPayload: one transaction locking the task's row (payload-sql.ts).
 * - taskFigures: two statements (a GROUP BY over tasks, one aggregate over the window with
 *   percentile_cont); see task-figures-sql.ts.
 * - Errors leave as AppErrors (translate-error.ts); connection problems are SERVICE_UNAVAILABLE.
 */
export class PrismaTaskRepository implements TaskRepository, TaskQueue {
  private connection: Connection | undefined;
  private connecting: Promise<Connection> | undefined;
  private relaying = false;
  private readonly schema: string;
  private readonly inlineLimitBytes: number;

  constructor(private readonly options: PrismaTaskRepositoryOptions) {
    this.schema = options.schema ?? DEFAULT_SCHEMA;
    this.inlineLimitBytes = options.inlineLimitBytes ?? DEFAULT_INLINE_LIMIT_BYTES;
    quoteSchema(this.schema);
  }

  async connect(): Promise<void> {
    if (this.connection) return;
    this.connecting ??= this.open().finally(() => {
      this.connecting = undefined;
    });
    this.connection = await this.connecting;
  }

  async close(): Promise<void> {
    const connection = this.connection ?? (await this.connecting?.catch(() => undefined));
    this.connection = undefined;
    if (connection) await runClosers(connection.closers);
  }

  async createTask(task: Task, options: CreateTaskOptions = {}): Promise<CreateTaskOutcome> {
    const now = new Date();
    const view = newTaskView(task, now);
    const created = creationEvent(view);
    const { cacheKey } = options;
    return this.run('createTask', async ({ prisma, lib, tables }) => {
      // The newest succeeded task of the client with this key; succeeded is final, so it cannot
      // change between this read and the insert that copies its result.
      const [source] =
        cacheKey === undefined
          ? []
          : await prisma.$queryRaw<TaskResultRow[]>(cacheSourceSql(lib, tables, task.clientId, cacheKey));
      if (source && cacheKey !== undefined) {
        const hit = cachedCompletion(view, resultViewFromRow(source), now);
        const inserted = await prisma.$executeRaw(
          insertCachedTaskSql(lib, tables, hit, cacheKey, source.taskId, this.inlineLimitBytes),
        );
        if (inserted === 1) {
          return { task: hit.view, created: true, event: hit.created, completion: hit.completion };
        }
      } else {
        const inserted = await prisma.$executeRaw(
          insertTaskSql(lib, tables, view, created, cacheKey, this.inlineLimitBytes),
        );
        if (inserted === 1) {
          return { task: view, created: true, event: { seq: view.eventSeq, event: created } };
        }
      }
      const existing =
        (await prisma.task.findUnique({ where: { id: task.id } })) ??
        (task.idempotencyKey === undefined
          ? null
          : await prisma.task.findFirst({
              where: { clientId: task.clientId, idempotencyKey: task.idempotencyKey },
            }));
      if (!existing) {
        throw new AppError('INTERNAL', `task ${task.id} conflicted with a row that no longer exists`);
      }
      const existingView = taskViewFromRow(existing);
      assertSameSubmission(existingView, task);
      return { task: existingView, created: false };
    });
  }

  async createTasks(items: readonly CreateTaskItem[]): Promise<CreateTaskResult[]> {
    if (items.length < 2)
      return Promise.all(
        items.map(({ task, options }) => this.createTask(task, options).then(okResult, errorResult)),
      );
    const now = new Date();
    const inserted = await this.run('createTasks', async ({ prisma, lib, tables }) => {
      const keyed = items.flatMap(({ task, options }) =>
        options?.cacheKey === undefined ? [] : [{ clientId: task.clientId, cacheKey: options.cacheKey }],
      );
      const withSource = new Set(
        keyed.length === 0
          ? []
          : (
              await prisma.$queryRaw<Array<{ clientId: string; cacheKey: string }>>(
                cacheKeysWithSourceSql(lib, tables, keyed),
              )
            ).map((row) => `${row.clientId}\u0000${row.cacheKey}`),
      );
      const rows = new Map<number, NewTaskRow>();
      for (const [index, { task, options }] of items.entries()) {
        const cacheKey = options?.cacheKey;
        if (cacheKey !== undefined && withSource.has(`${task.clientId}\u0000${cacheKey}`)) continue;
        const view = newTaskView(task, now);
        rows.set(index, {
          view,
          created: creationEvent(view),
          ...(cacheKey === undefined ? {} : { cacheKey }),
        });
      }
      const ids =
        rows.size === 0
          ? []
          : await prisma.$queryRaw<Array<{ id: string }>>(
              insertTasksSql(lib, tables, [...rows.values()], this.inlineLimitBytes),
            );
      const stored = new Set(ids.map((row) => row.id));
      return new Map([...rows].filter(([, row]) => stored.has(row.view.id)));
    });
    // In item order: a stored row is done; the rest (cache hits, conflicts) go one by one,
    // exactly as createTask answers them.
    const results: CreateTaskResult[] = [];
    for (const [index, { task, options }] of items.entries()) {
      const row = inserted.get(index);
      results.push(
        row
          ? okResult({ task: row.view, created: true, event: { seq: row.view.eventSeq, event: row.created } })
          : await this.createTask(task, options).then(okResult, errorResult),
      );
    }
    return results;
  }

  async getTask(id: string): Promise<TaskView | undefined> {
    return this.run('getTask', async ({ prisma }) => {
      const row = await prisma.task.findUnique({ where: { id } });
      return row ? taskViewFromRow(row) : undefined;
    });
  }

  async getResult(taskId: string): Promise<TaskResultView | undefined> {
    return this.run('getResult', async ({ prisma }) => {
      const row = await prisma.taskResult.findUnique({ where: { taskId } });
      return row ? resultViewFromRow(row) : undefined;
    });
  }

  async listTasks(filter: ListTasksFilter): Promise<TaskPage> {
    const { limit, after } = resolveListQuery(filter);
    return this.run('listTasks', async ({ prisma }) => {
      const where: Prisma.TaskWhereInput = {
        ...(filter.clientId === undefined ? {} : { clientId: filter.clientId }),
        ...(filter.status === undefined ? {} : { status: filter.status }),
        ...(filter.type === undefined ? {} : { type: filter.type }),
        ...(filter.agentId === undefined ? {} : { agentId: filter.agentId }),
        ...(filter.parentId === undefined ? {} : { parentId: filter.parentId }),
      };
      if (after) {
        const createdAt = new Date(after.createdAt);
        where.OR = [{ createdAt: { lt: createdAt } }, { createdAt, id: { lt: after.id } }];
      }
      const rows = await prisma.task.findMany({
        where,
        orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
        take: limit + 1,
      });
      return toPage(rows.map(taskViewFromRow), limit);
    });
  }

  async applyEvents(events: readonly TaskEvent[]): Promise<EventOutcome[]> {
    return this.run('applyEvents', ({ prisma, lib, tables }) =>
      events.length === 0
        ? Promise.resolve([])
        : prisma.$transaction((tx) =>
            applyEventBatch({ tx, lib, tables, inlineLimitBytes: this.inlineLimitBytes }, events),
          ),
    );
  }

  async putOutputPayload(owner: PayloadOwner, output: unknown): Promise<PayloadRef> {
    return this.run('putOutputPayload', async ({ prisma, lib, tables }) => {
      const payload = await prisma.$transaction((tx) => putOutputPayloadSql(tx, lib, tables, owner, output));
      return { id: payload.id, bytes: payload.bytes };
    });
  }

  async getPayload(id: string): Promise<StoredPayload | undefined> {
    return this.run('getPayload', async ({ prisma, lib, tables }) =>
      (await loadPayloadsSql(prisma, lib, tables, [id])).get(id),
    );
  }

  claim(request: ClaimRequest): Promise<ClaimOutcome> {
    return this.queue('claim', (q) => claimSql(q, request));
  }

  release(taskId: string, attempt: number, token: string, reason: string): Promise<boolean> {
    return this.queue('release', (q) => releaseSql(q, taskId, attempt, token, reason));
  }

  confirmDispatched(attempts: readonly AttemptRef[]): Promise<number> {
    if (attempts.length === 0) return Promise.resolve(0);
    return this.run('confirmDispatched', ({ prisma, lib, tables }) =>
      confirmDispatchedSql(prisma, lib, tables, attempts),
    );
  }

  expire(limit: number): Promise<FailedAttempt[]> {
    return this.queue('expire', (q) => expireSql(q, limit));
  }

  failAttemptsOn(agentIds: readonly string[], error: SerializedError): Promise<FailedAttempt[]> {
    if (agentIds.length === 0) return Promise.resolve([]);
    return this.queue('failAttemptsOn', (q) => failAttemptsOnSql(q, agentIds, error));
  }

  failOrphans(live: readonly LiveAgent[], olderThanMs: number): Promise<FailedAttempt[]> {
    return this.queue('failOrphans', (q) => failOrphansSql(q, live, olderThanMs));
  }

  settleFailures(
    decide: (task: TaskView, error: SerializedError) => RetryDecision,
    limit: number,
  ): Promise<TaskView[]> {
    return this.queue('settleFailures', (q) => settleFailuresSql(q, decide, limit));
  }

  async relayOutbox(
    publish: (changes: TaskChangedMessage[]) => Promise<void>,
    limit: number,
  ): Promise<number> {
    // One relay per process at a time, without taking a connection to find out (PGlite has one).
    if (this.relaying) return -1;
    this.relaying = true;
    try {
      return await this.queue('relayOutbox', (q) => relayOutboxSql(q, publish, limit));
    } finally {
      this.relaying = false;
    }
  }

  markUnrunnable(
    agents: ReadonlyArray<Pick<QueueAgent, 'taskTypes' | 'capabilities'>>,
    limit: number,
  ): Promise<TaskView[]> {
    return this.queue('markUnrunnable', (q) => markUnrunnableSql(q, agents, limit));
  }

  queueFigures(): Promise<QueueFigures> {
    return this.run('queueFigures', ({ prisma, lib, tables }) => queueFiguresSql(prisma, lib, tables));
  }

  /** One queue operation in one transaction. */
  private queue<T>(operation: string, work: (q: QueueSql) => Promise<T>): Promise<T> {
    return this.run(operation, ({ prisma, lib, tables }) =>
      prisma.$transaction((tx) =>
        work({ tx, lib, tables, schema: this.schema, inlineLimitBytes: this.inlineLimitBytes }),
      ),
    );
  }

  async countByStatus(): Promise<Record<TaskStatus, number>> {
    return this.run('countByStatus', async ({ prisma }) => {
      const groups = await prisma.task.groupBy({ by: ['status'], _count: { _all: true } });
      const counts = zeroByStatus();
      for (const group of groups) {
        if (Object.hasOwn(counts, group.status)) counts[group.status as TaskStatus] = group._count._all;
      }
      return counts;
    });
  }

  async taskEvents(taskId: string, afterSeq: number, limit: number): Promise<TaskStreamEvent[]> {
    return this.run('taskEvents', async ({ prisma }) => {
      const rows = await prisma.taskEvent.findMany({
        where: { taskId, seq: { gt: afterSeq } },
        orderBy: { seq: 'asc' },
        take: limit,
        select: { seq: true, payload: true },
      });
      // seq > afterSeq matched, so it is not NULL; the payload is the event as it was validated.
      return rows.map((row) => ({ seq: row.seq ?? 0, event: row.payload as unknown as TaskEvent }));
    });
  }

  async searchSymbols(filter: SymbolSearchFilter): Promise<SymbolSearchPage> {
    return this.run('searchSymbols', ({ prisma, lib, tables }) =>
      searchSymbolsSql(prisma, lib, tables, filter),
    );
  }

  async taskFigures(since: Date): Promise<TaskFigures> {
    return this.run('taskFigures', ({ prisma, lib, tables }) => readTaskFigures(prisma, lib, tables, since));
  }

  /**
   * The pool and schema of this repository's database, for stores that keep their tables in the
   * same database (PostgresApiKeyStore with `repository`): an embedded PGlite serves only one
   * connection, so they must share it. SERVICE_UNAVAILABLE until connect() and after close().
   */
  sharedPool(): { pool: Pool; schema: string } {
    const connection = this.connection;
    if (!connection) throw new AppError('SERVICE_UNAVAILABLE', 'the task repository is not connected');
    return { pool: connection.pool, schema: this.schema };
  }

  private async run<T>(operation: string, work: (connection: Connection) => Promise<T>): Promise<T> {
    const connection = this.connection;
    if (!connection) throw new AppError('SERVICE_UNAVAILABLE', 'the task repository is not connected');
    try {
      return await work(connection);
    } catch (error) {
      throw translateError(error, operation);
    }
  }

  private async open(): Promise<Connection> {
    const closers: Array<() => Promise<void>> = [];
    try {
      const { database } = this.options;
      let url: string;
      let poolOptions: {
        max: number;
        idleTimeoutMillis?: number;
        idle_in_transaction_session_timeout?: number;
      };
      if ('embedded' in database) {
        const server = await startEmbeddedPostgres(database.embedded);
        closers.unshift(() => server.close());
        url = server.url;
        poolOptions = { ...EMBEDDED_POOL_OPTIONS };
      } else {
        url = database.url;
        // A process paused or cut off inside a transaction (SIGSTOP, a partition) would hold the
        // queue's claim lock and its row locks for good: the server ends such a transaction (and
        // its session) instead, so the other replicas go on. Our transactions never wait on the
        // client for long; a paused client that resumes finds its transaction rolled back.
        poolOptions = {
          max: this.options.poolSize ?? 10,
          idle_in_transaction_session_timeout: IDLE_IN_TRANSACTION_TIMEOUT_MS,
        };
      }
      const [pg, { PrismaPg }, generated] = await Promise.all([
        import('pg'),
        import('@prisma/adapter-pg'),
        loadGeneratedClient(),
      ]);
      const pool: Pool = new pg.Pool({ connectionString: url, ...poolOptions });
      // An idle connection that breaks emits 'error' on the pool; the next query reconnects.
      pool.on('error', () => undefined);
      closers.unshift(() => pool.end());
      if (this.options.migrate === false) {
        await pool.query('SELECT 1');
      } else {
        await migrate(pool, { schema: this.schema, migrationsDir: this.options.migrationsDir });
      }
      const prisma = new generated.PrismaClient({
        adapter: new PrismaPg(pool, { schema: this.schema }),
        transactionOptions: {
          maxWait: this.options.transactionMaxWaitMs ?? 10_000,
          timeout: this.options.transactionTimeoutMs ?? 30_000,
        },
      });
      closers.unshift(() => prisma.$disconnect());
      const lib = generated.Prisma;
      const schema = quoteSchema(this.schema);
      const tables: Tables = {
        tasks: lib.raw(`${schema}."tasks"`),
        taskEvents: lib.raw(`${schema}."task_events"`),
        taskResults: lib.raw(`${schema}."task_results"`),
        symbols: lib.raw(`${schema}."symbols"`),
        outbox: lib.raw(`${schema}."outbox"`),
        payloads: lib.raw(`${schema}."payloads"`),
      };
      return { prisma, lib, tables, pool, closers };
    } catch (error) {
      await runClosers(closers);
      throw translateError(error, 'connect');
    }
  }
}

async function runClosers(closers: ReadonlyArray<() => Promise<void>>): Promise<void> {
  for (const close of closers) {
    await close().catch(() => undefined);
  }
}
