import type { Pool } from 'pg';

/**
 * Reads of the result-store's tables for checks the HTTP API does not expose (event history,
 * ignored events, leases). Column names follow libs/persistence/migrations.
 */

/** One row of task_events, with the fields the payload carries flattened out. */
export interface EventRow {
  taskId: string;
  attempt: number;
  type: string;
  /** payload.agentId: the agent that reported it, or the one it was about (dispatched, failed). */
  agentId: string | undefined;
  /** payload.at: when the emitter created the event (its clock; all processes share one machine). */
  atMs: number;
  /** When the store recorded it (task_events.created_at): after the emitter's `at`, often much later. */
  recordedAtMs: number;
  outcome: 'applied' | 'ignored';
  /** STALE_ATTEMPT or INVALID_TRANSITION when ignored. */
  reason: string | null;
  /** payload.error.code of failed and dead_lettered events. */
  errorCode: string | undefined;
}

export async function statusCounts(db: Pool, taskIds: readonly string[]): Promise<Map<string, number>> {
  const { rows } = await db.query<{ status: string; count: string }>(
    'SELECT status, count(*) FROM tasks WHERE id = ANY($1) GROUP BY status',
    [taskIds],
  );
  return new Map(rows.map((row) => [row.status, Number(row.count)]));
}

/** The events of these tasks (of `types`, or all), in the order the store recorded them. */
export async function taskEvents(
  db: Pool,
  taskIds: readonly string[],
  types?: readonly string[],
): Promise<EventRow[]> {
  const { rows } = await db.query<{
    task_id: string;
    attempt: number;
    type: string;
    agent_id: string | null;
    at: string;
    recorded_at: Date;
    outcome: 'applied' | 'ignored';
    reason: string | null;
    error_code: string | null;
  }>(
    `SELECT task_id, attempt, type, payload->>'agentId' AS agent_id, payload->>'at' AS at, created_at AS recorded_at,
            outcome, reason,
            payload->'error'->>'code' AS error_code
       FROM task_events
      WHERE task_id = ANY($1) AND ($2::text[] IS NULL OR type = ANY($2))
      ORDER BY created_at, id`,
    [taskIds, types ?? null],
  );
  return rows.map((row) => ({
    taskId: row.task_id,
    attempt: row.attempt,
    type: row.type,
    agentId: row.agent_id ?? undefined,
    atMs: Date.parse(row.at),
    recordedAtMs: row.recorded_at.getTime(),
    outcome: row.outcome,
    reason: row.reason,
    errorCode: row.error_code ?? undefined,
  }));
}

/** The holder of a lease (e.g. "scheduler"), or undefined when nobody holds it. */
export async function leaseHolder(db: Pool, name: string): Promise<string | undefined> {
  const { rows } = await db.query<{ holder: string }>(
    'SELECT holder FROM leases WHERE name = $1 AND expires_at > now()',
    [name],
  );
  return rows[0]?.holder;
}

/** One task's history as text lines, for failure messages. */
export function describeHistory(events: readonly EventRow[], taskId: string): string {
  return events
    .filter((event) => event.taskId === taskId)
    .map(
      (event) =>
        `${new Date(event.atMs).toISOString()} #${event.attempt} ${event.type} ${event.agentId ?? '-'} ` +
        `${event.outcome}${event.reason ? ` ${event.reason}` : ''}${event.errorCode ? ` ${event.errorCode}` : ''}`,
    )
    .join('\n  ');
}
