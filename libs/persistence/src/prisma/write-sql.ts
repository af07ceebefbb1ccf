import {
  boundTaskChange,
  type TaskChangedMessage,
  type TaskEvent,
  type TaskView,
} from '@contextforge/contracts';
import type { EventPlan } from '../domain/plan-events';
import { queuedStateOf, type CachedCompletion } from '../domain/task-records';
import type { Prisma } from '../generated/prisma/client';

/**
 * The write statements of the adapter, as raw SQL run through the Prisma client. Raw rather
 * than Prisma's create/createMany because those cost ~0.4 ms of client CPU per row (measured: 38 ms
 * to createMany 100 events against 6 ms for the unnest INSERT below), which capped one consumer at
 * ~1,500 events/s. Column lists are checked by the schema test against the migrations.
 */

/** The runtime namespace of the generated client (sql, raw, ...), loaded lazily with it. */
export type PrismaNamespace = typeof Prisma;

/** Schema-qualified table names (Prisma's own queries qualify them through the adapter). */
export interface Tables {
  tasks: Prisma.Sql;
  taskEvents: Prisma.Sql;
  taskResults: Prisma.Sql;
  symbols: Prisma.Sql;
  outbox: Prisma.Sql;
  payloads: Prisma.Sql;
}

/**
 * Inserts a new task and its creation event (seq `view.eventSeq`, i.e. 1) in one statement (so atomically, without a
 * transaction). On any conflict (same id, or same client and idempotency key) nothing is written
 * and the statement reports 0 rows; ON CONFLICT waits for a concurrent insert of the same key to
 * commit first, so the caller can then read the winner.
 */
export function insertTaskSql(
  prisma: PrismaNamespace,
  tables: Tables,
  view: TaskView,
  created: TaskEvent,
  cacheKey: string | undefined,
  inlineLimitBytes: number,
): Prisma.Sql {
  return prisma.sql`WITH new_task AS (
      INSERT INTO ${tables.tasks} (id, client_id, type, input, priority, required_capabilities, timeout_ms,
        max_attempts, idempotency_key, parent_id, status, attempt, created_at, updated_at, event_seq, cache_key,
        traceparent)
      VALUES (${view.id}, ${view.clientId}, ${view.type}, ${JSON.stringify(view.input)}::jsonb, ${view.priority}::int,
        ${view.requiredCapabilities}::text[], ${view.timeoutMs}::int, ${view.maxAttempts}::int,
        ${view.idempotencyKey ?? null}::text, ${view.parentId ?? null}::text, ${view.status}, ${view.attempt}::int,
        ${view.createdAt}::timestamptz, ${view.updatedAt}::timestamptz, ${view.eventSeq}::int, ${cacheKey ?? null}::text,
        ${view.traceparent ?? null}::text)
      ON CONFLICT DO NOTHING
      RETURNING id
    ),
    outbox_rows AS (
      INSERT INTO ${tables.outbox} (task_id, message)
      SELECT id, ${JSON.stringify(change(view, created, inlineLimitBytes))}::jsonb FROM new_task
    )
    INSERT INTO ${tables.taskEvents} (id, task_id, attempt, type, payload, outcome, created_at, seq)
    SELECT ${created.eventId}, id, ${created.attempt}::int, ${created.type}, ${JSON.stringify(created)}::jsonb,
      'applied', ${view.updatedAt}::timestamptz, ${view.eventSeq}::int
    FROM new_task`;
}

/** The task-changes message of a new task's creation event (bounded, see boundTaskChange). */
function change(view: TaskView, created: TaskEvent, inlineLimitBytes: number): TaskChangedMessage {
  return boundTaskChange({ seq: view.eventSeq, event: created, task: view }, inlineLimitBytes);
}

/** A new task and its creation event, as insertTasksSql writes them. */
export interface NewTaskRow {
  view: TaskView;
  created: TaskEvent;
  cacheKey?: string;
}

/**
 * insertTaskSql for many tasks in one statement (rows as parallel arrays through unnest, so the
 * SQL text and its parameter count do not grow with the batch). Returns the ids of the tasks it
 * inserted: a row that conflicts (same id, or same client and idempotency key, including an
 * earlier row of the same batch) is skipped, its event too, and the caller resolves it alone.
 */
export function insertTasksSql(
  prisma: PrismaNamespace,
  tables: Tables,
  rows: readonly NewTaskRow[],
  inlineLimitBytes: number,
): Prisma.Sql {
  const views = rows.map((row) => row.view);
  return prisma.sql`WITH new_tasks AS (
      INSERT INTO ${tables.tasks} (id, client_id, type, input, priority, required_capabilities, timeout_ms,
        max_attempts, idempotency_key, parent_id, status, attempt, created_at, updated_at, event_seq, cache_key,
        traceparent)
      SELECT t.id, t.client_id, t.type, t.input, t.priority, ARRAY(SELECT jsonb_array_elements_text(t.capabilities)),
        t.timeout_ms, t.max_attempts, t.idempotency_key, t.parent_id, t.status, t.attempt, t.created_at, t.updated_at,
        t.event_seq, t.cache_key, t.traceparent
      FROM unnest(
        ${views.map((view) => view.id)}::text[],
        ${views.map((view) => view.clientId)}::text[],
        ${views.map((view) => view.type)}::text[],
        ${views.map((view) => JSON.stringify(view.input))}::jsonb[],
        ${views.map((view) => view.priority)}::int[],
        ${views.map((view) => JSON.stringify(view.requiredCapabilities))}::jsonb[],
        ${views.map((view) => view.timeoutMs)}::int[],
        ${views.map((view) => view.maxAttempts)}::int[],
        ${views.map((view) => view.idempotencyKey ?? null)}::text[],
        ${views.map((view) => view.parentId ?? null)}::text[],
        ${views.map((view) => view.status)}::text[],
        ${views.map((view) => view.attempt)}::int[],
        ${views.map((view) => view.createdAt)}::timestamptz[],
        ${views.map((view) => view.updatedAt)}::timestamptz[],
        ${views.map((view) => view.eventSeq)}::int[],
        ${rows.map((row) => row.cacheKey ?? null)}::text[],
        ${views.map((view) => view.traceparent ?? null)}::text[]
      ) AS t(id, client_id, type, input, priority, capabilities, timeout_ms, max_attempts, idempotency_key,
        parent_id, status, attempt, created_at, updated_at, event_seq, cache_key, traceparent)
      ON CONFLICT DO NOTHING
      RETURNING id
    ),
    outbox_rows AS (
      INSERT INTO ${tables.outbox} (task_id, message)
      SELECT o.task_id, o.message FROM unnest(
        ${rows.map((row) => row.view.id)}::text[],
        ${rows.map((row) => JSON.stringify(change(row.view, row.created, inlineLimitBytes)))}::jsonb[]
      ) WITH ORDINALITY AS o(task_id, message, ordinal)
      JOIN new_tasks ON new_tasks.id = o.task_id
      ORDER BY o.ordinal
    )
    INSERT INTO ${tables.taskEvents} (id, task_id, attempt, type, payload, outcome, created_at, seq)
    SELECT e.id, e.task_id, e.attempt, e.type, e.payload, 'applied', e.created_at, e.seq
    FROM unnest(
      ${rows.map((row) => row.created.eventId)}::text[],
      ${rows.map((row) => row.view.id)}::text[],
      ${rows.map((row) => row.created.attempt)}::int[],
      ${rows.map((row) => row.created.type)}::text[],
      ${rows.map((row) => JSON.stringify(row.created))}::jsonb[],
      ${rows.map((row) => row.view.updatedAt)}::timestamptz[],
      ${rows.map((row) => row.view.eventSeq)}::int[]
    ) AS e(id, task_id, attempt, type, payload, created_at, seq)
    JOIN new_tasks ON new_tasks.id = e.task_id
    RETURNING task_id AS id`;
}

/**
 * Which of these (client, cache key) pairs have a succeeded task to serve a cache hit from: one
 * index scan for a whole batch, so only the hits take createTask's per-task path.
 */
export function cacheKeysWithSourceSql(
  prisma: PrismaNamespace,
  tables: Tables,
  keys: ReadonlyArray<{ clientId: string; cacheKey: string }>,
): Prisma.Sql {
  return prisma.sql`SELECT DISTINCT t.client_id AS "clientId", t.cache_key AS "cacheKey"
    FROM ${tables.tasks} AS t
    JOIN unnest(${keys.map((key) => key.clientId)}::text[], ${keys.map((key) => key.cacheKey)}::text[])
      AS k(client_id, cache_key) ON t.client_id = k.client_id AND t.cache_key = k.cache_key
    WHERE t.status = 'succeeded'`;
}

/**
 * The result a cache hit copies: that of the client's most recently finished succeeded task with
 * the key, as a TaskResult row: one statement over the (client_id, cache_key) index, on the
 * submit path of every cacheable task (Prisma's relation filter and relation orderBy cost more
 * client work for the same row).
 */
export function cacheSourceSql(
  prisma: PrismaNamespace,
  tables: Tables,
  clientId: string,
  cacheKey: string,
): Prisma.Sql {
  return prisma.sql`SELECT r.task_id AS "taskId", r.attempt, r.agent_id AS "agentId", r.output,
      r.duration_ms AS "durationMs", r.created_at AS "createdAt", r.cached_from AS "cachedFrom"
    FROM ${tables.tasks} AS t JOIN ${tables.taskResults} AS r ON r.task_id = t.id
    WHERE t.client_id = ${clientId} AND t.cache_key = ${cacheKey} AND t.status = 'succeeded'
    ORDER BY t.finished_at DESC NULLS LAST
    LIMIT 1`;
}

/**
 * Inserts a cache hit in one statement, like insertTaskSql: the task already succeeded (with its
 * cache key and the id of the task it copied), its two events and the copied result. Nothing is
 * written on a conflict (0 rows), and the caller reads the existing task.
 */
export function insertCachedTaskSql(
  prisma: PrismaNamespace,
  tables: Tables,
  hit: CachedCompletion,
  cacheKey: string,
  sourceTaskId: string,
  inlineLimitBytes: number,
): Prisma.Sql {
  const { view, created, completion, result } = hit;
  const changes = [
    { ...created, task: queuedStateOf(view, created) },
    { ...completion, task: view },
  ].map((message) => JSON.stringify(boundTaskChange(message, inlineLimitBytes)));
  return prisma.sql`WITH new_task AS (
      INSERT INTO ${tables.tasks} (id, client_id, type, input, priority, required_capabilities, timeout_ms,
        max_attempts, idempotency_key, parent_id, status, attempt, agent_id, created_at, updated_at, finished_at,
        event_seq, cache_key, cached_from, traceparent)
      VALUES (${view.id}, ${view.clientId}, ${view.type}, ${JSON.stringify(view.input)}::jsonb, ${view.priority}::int,
        ${view.requiredCapabilities}::text[], ${view.timeoutMs}::int, ${view.maxAttempts}::int,
        ${view.idempotencyKey ?? null}::text, ${view.parentId ?? null}::text, ${view.status}, ${view.attempt}::int,
        ${view.agentId ?? null}::text, ${view.createdAt}::timestamptz, ${view.updatedAt}::timestamptz,
        ${view.finishedAt ?? null}::timestamptz, ${view.eventSeq}::int, ${cacheKey}::text, ${sourceTaskId}::text,
        ${view.traceparent ?? null}::text)
      ON CONFLICT DO NOTHING
      RETURNING id
    ),
    new_events AS (
      INSERT INTO ${tables.taskEvents} (id, task_id, attempt, type, payload, outcome, created_at, seq)
      SELECT e.id, new_task.id, e.attempt, e.type, e.payload, 'applied', ${view.updatedAt}::timestamptz, e.seq
      FROM new_task, (VALUES
        (${created.event.eventId}, ${created.event.attempt}::int, ${created.event.type}, ${JSON.stringify(created.event)}::jsonb, ${created.seq}::int),
        (${completion.event.eventId}, ${completion.event.attempt}::int, ${completion.event.type}, ${JSON.stringify(completion.event)}::jsonb, ${completion.seq}::int)
      ) AS e(id, attempt, type, payload, seq)
      RETURNING 1
    ),
    outbox_rows AS (
      INSERT INTO ${tables.outbox} (task_id, message)
      SELECT new_task.id, o.message FROM new_task, unnest(${changes}::jsonb[]) WITH ORDINALITY AS o(message, ordinal)
      ORDER BY o.ordinal
    )
    INSERT INTO ${tables.taskResults} (task_id, attempt, agent_id, output, duration_ms, created_at, cached_from)
    SELECT new_task.id, ${result.attempt}::int, ${result.agentId}, ${JSON.stringify(result.output)}::jsonb,
      ${result.durationMs}::int, ${result.createdAt}::timestamptz, ${sourceTaskId}::text
    FROM new_task`;
}

/**
 * Writes a plan of applyEvents in one statement: data-modifying CTEs run together, and an empty array makes its
 * part a no-op. Events and results use ON CONFLICT DO NOTHING: an event id stored meanwhile is
 * not stored twice, and task_results' primary key (task_id) keeps a task at one result. Only the
 * event id may conflict: a clash on (task_id, seq) would mean two writers numbered the same task
 * without the row lock, and fails the batch (rolled back, redelivered) instead of leaving a gap.
 */
export function writePlanSql(
  prisma: PrismaNamespace,
  tables: Tables,
  plan: EventPlan,
  now: Date,
): Prisma.Sql {
  const { updates: tasks, records, results, symbols, changes } = plan;
  const nowIso = now.toISOString();
  return prisma.sql`WITH
    task_updates AS (
      UPDATE ${tables.tasks} AS t SET
        status = u.status, status_reason = u.status_reason, attempt = u.attempt, agent_id = u.agent_id,
        last_error = u.last_error, updated_at = u.updated_at, finished_at = u.finished_at, event_seq = u.event_seq,
        claim_token = u.claim_token, claimed_by = u.claimed_by, agent_instance = u.agent_instance,
        lease_expires_at = u.lease_expires_at,
        deadline_at = u.deadline_at, not_before = u.not_before, failures = u.failures
      FROM unnest(
        ${tasks.map((task) => task.id)}::text[],
        ${tasks.map((task) => task.status)}::text[],
        ${tasks.map((task) => task.statusReason ?? null)}::text[],
        ${tasks.map((task) => task.attempt)}::int[],
        ${tasks.map((task) => task.agentId ?? null)}::text[],
        ${tasks.map((task) => jsonOrNull(task.lastError))}::jsonb[],
        ${tasks.map((task) => task.updatedAt)}::timestamptz[],
        ${tasks.map((task) => task.finishedAt ?? null)}::timestamptz[],
        ${tasks.map((task) => task.eventSeq)}::int[],
        ${tasks.map((task) => task.claimToken ?? null)}::text[],
        ${tasks.map((task) => task.claimedBy ?? null)}::text[],
        ${tasks.map((task) => task.agentInstance ?? null)}::text[],
        ${tasks.map((task) => task.leaseExpiresAt ?? null)}::timestamptz[],
        ${tasks.map((task) => task.deadlineAt ?? null)}::timestamptz[],
        ${tasks.map((task) => task.notBefore ?? null)}::timestamptz[],
        ${tasks.map((task) => task.failures ?? 0)}::int[]
      ) AS u(id, status, status_reason, attempt, agent_id, last_error, updated_at, finished_at, event_seq,
        claim_token, claimed_by, agent_instance, lease_expires_at, deadline_at, not_before, failures)
      WHERE t.id = u.id
      RETURNING 1
    ),
    event_rows AS (
      INSERT INTO ${tables.taskEvents} (id, task_id, attempt, type, payload, outcome, reason, seq, created_at)
      SELECT e.*, ${nowIso}::timestamptz FROM unnest(
        ${records.map((record) => record.event.eventId)}::text[],
        ${records.map((record) => record.event.taskId)}::text[],
        ${records.map((record) => record.event.attempt)}::int[],
        ${records.map((record) => record.event.type)}::text[],
        ${records.map((record) => JSON.stringify(record.event))}::jsonb[],
        ${records.map((record) => record.outcome)}::text[],
        ${records.map((record) => record.reason ?? null)}::text[],
        ${records.map((record) => record.seq ?? null)}::int[]
      ) AS e
      ON CONFLICT (id) DO NOTHING
      RETURNING 1
    ),
    result_rows AS (
      INSERT INTO ${tables.taskResults} (task_id, attempt, agent_id, output, duration_ms, created_at)
      SELECT r.*, ${nowIso}::timestamptz FROM unnest(
        ${results.map((result) => result.taskId)}::text[],
        ${results.map((result) => result.attempt)}::int[],
        ${results.map((result) => result.agentId)}::text[],
        ${results.map((result) => JSON.stringify(result.output))}::jsonb[],
        ${results.map((result) => result.durationMs)}::int[]
      ) AS r
      ON CONFLICT DO NOTHING
      RETURNING 1
    ),
    symbol_rows AS (
      INSERT INTO ${tables.symbols} (task_id, ordinal, client_id, kind, name, file, start_line, end_line, signature,
        language, search)
      SELECT s.task_id, s.ordinal, s.client_id, s.kind, s.name, s.file, s.start_line, s.end_line, s.signature,
        s.language,
        setweight(to_tsvector('simple', s.name_words), 'A') || setweight(to_tsvector('simple', s.kind), 'B') ||
        setweight(to_tsvector('simple', s.path_words), 'C') || setweight(to_tsvector('simple', s.signature_words), 'D')
      FROM unnest(
        ${symbols.map((entry) => entry.taskId)}::text[],
        ${symbols.map((entry) => entry.ordinal)}::int[],
        ${symbols.map((entry) => entry.clientId)}::text[],
        ${symbols.map((entry) => entry.symbol.kind)}::text[],
        ${symbols.map((entry) => entry.symbol.name)}::text[],
        ${symbols.map((entry) => entry.symbol.file)}::text[],
        ${symbols.map((entry) => entry.symbol.startLine)}::int[],
        ${symbols.map((entry) => entry.symbol.endLine)}::int[],
        ${symbols.map((entry) => entry.symbol.signature)}::text[],
        ${symbols.map((entry) => entry.symbol.language)}::text[],
        ${symbols.map((entry) => entry.nameWords)}::text[],
        ${symbols.map((entry) => entry.pathWords)}::text[],
        ${symbols.map((entry) => entry.signatureWords)}::text[]
      ) AS s(task_id, ordinal, client_id, kind, name, file, start_line, end_line, signature, language, name_words,
        path_words, signature_words)
      ON CONFLICT DO NOTHING
      RETURNING 1
    ),
    outbox_rows AS (
      INSERT INTO ${tables.outbox} (task_id, message)
      SELECT o.task_id, o.message FROM unnest(
        ${changes.map((message) => message.task.id)}::text[],
        ${changes.map((message) => JSON.stringify(message))}::jsonb[]
      ) WITH ORDINALITY AS o(task_id, message, ordinal)
      ORDER BY o.ordinal
      RETURNING 1
    )
    SELECT (SELECT count(*) FROM task_updates) + (SELECT count(*) FROM event_rows) + (SELECT count(*) FROM result_rows)
      + (SELECT count(*) FROM symbol_rows) + (SELECT count(*) FROM outbox_rows)`;
}

function jsonOrNull(value: unknown): string | null {
  return value === undefined || value === null ? null : JSON.stringify(value);
}
