import type { PayloadOwner, StoredPayload } from '@contextforge/contracts';
import { checkPayloadOwner, newStoredPayload } from '../domain/payloads';
import type { Prisma, Task as TaskRow } from '../generated/prisma/client';
import { TASK_COLUMNS_SQL, taskRecordFromRow } from './task-rows';
import type { PrismaNamespace, Tables } from './write-sql';

/** A `payloads` row under the field names of StoredPayload. */
const PAYLOAD_COLUMNS_SQL = `id, task_id AS "taskId", attempt, bytes, content, created_at AS "createdAt"`;

interface PayloadRow {
  id: string;
  taskId: string;
  attempt: number;
  bytes: number;
  content: unknown;
  createdAt: Date;
}

/**
 * TaskRepository.putOutputPayload inside `tx`: locks the task's row, checks the owner as the state
 * machine would check the `succeeded` event (checkPayloadOwner; throws, so the transaction stores
 * nothing), then inserts the payload. The lock orders the upload with claims and events of the task.
 */
export async function putOutputPayloadSql(
  tx: Prisma.TransactionClient,
  lib: PrismaNamespace,
  tables: Tables,
  owner: PayloadOwner,
  output: unknown,
): Promise<StoredPayload> {
  const [row] = await tx.$queryRaw<TaskRow[]>(
    lib.sql`SELECT ${lib.raw(TASK_COLUMNS_SQL)} FROM ${tables.tasks} WHERE id = ${owner.taskId} FOR UPDATE`,
  );
  checkPayloadOwner(row && taskRecordFromRow(row), owner);
  const payload = newStoredPayload(owner, output, new Date());
  await tx.$executeRaw(
    lib.sql`INSERT INTO ${tables.payloads} (id, task_id, attempt, bytes, content, created_at)
      VALUES (${payload.id}, ${payload.taskId}, ${payload.attempt}::int, ${payload.bytes}::int,
        ${JSON.stringify(payload.content)}::jsonb, ${payload.createdAt}::timestamptz)`,
  );
  return payload;
}

/** The payloads with these ids (the outputRefs of a batch), by id. */
export async function loadPayloadsSql(
  tx: Prisma.TransactionClient,
  lib: PrismaNamespace,
  tables: Tables,
  ids: readonly string[],
): Promise<Map<string, StoredPayload>> {
  if (ids.length === 0) return new Map();
  const rows = await tx.$queryRaw<PayloadRow[]>(
    lib.sql`SELECT ${lib.raw(PAYLOAD_COLUMNS_SQL)} FROM ${tables.payloads} WHERE id = ANY(${[...ids]}::text[])`,
  );
  return new Map(rows.map((row) => [row.id, storedPayloadFromRow(row)]));
}

function storedPayloadFromRow(row: PayloadRow): StoredPayload {
  return { ...row, createdAt: row.createdAt.toISOString() };
}
