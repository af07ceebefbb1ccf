import { AppError, type ListTasksFilter, type TaskView } from '@contextforge/contracts';

/**
 * Listing rules both adapters share: newest first, ties broken by id (descending), keyset-paged.
 * The cursor is opaque to clients (base64url of the last row's position), so the ordering may
 * change later without breaking the API; a cursor that does not decode is a VALIDATION_FAILED.
 */
export const DEFAULT_LIST_LIMIT = 50;
export const MAX_LIST_LIMIT = 1000;

/** Where a page ends: the (createdAt, id) of its last task. */
export interface ListPosition {
  createdAt: string;
  id: string;
}

export interface ListQuery {
  limit: number;
  /** Only tasks strictly after this position (older, or as old with a smaller id). */
  after?: ListPosition;
}

export function resolveListQuery(filter: ListTasksFilter): ListQuery {
  const limit = filter.limit ?? DEFAULT_LIST_LIMIT;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIST_LIMIT) {
    throw invalid('limit', `must be an integer from 1 to ${MAX_LIST_LIMIT}`);
  }
  return filter.cursor === undefined ? { limit } : { limit, after: decodeCursor(filter.cursor) };
}

export function encodeCursor(task: Pick<TaskView, 'createdAt' | 'id'>): string {
  return Buffer.from(JSON.stringify([task.createdAt, task.id]), 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): ListPosition {
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid('cursor', 'is not a cursor returned by this API');
  }
  if (
    !Array.isArray(decoded) ||
    decoded.length !== 2 ||
    typeof decoded[0] !== 'string' ||
    typeof decoded[1] !== 'string' ||
    Number.isNaN(Date.parse(decoded[0]))
  ) {
    throw invalid('cursor', 'is not a cursor returned by this API');
  }
  return { createdAt: new Date(decoded[0]).toISOString(), id: decoded[1] };
}

/** Sort order of listings: newest first, then by id descending. For Array.prototype.sort. */
export function compareNewestFirst(a: ListPosition, b: ListPosition): number {
  if (a.createdAt !== b.createdAt) return a.createdAt < b.createdAt ? 1 : -1;
  if (a.id === b.id) return 0;
  return a.id < b.id ? 1 : -1;
}

/** Turns `limit + 1` rows fetched in list order into a page. */
export function toPage<T extends ListPosition>(
  rows: T[],
  limit: number,
): { tasks: T[]; nextCursor?: string } {
  if (rows.length <= limit) return { tasks: rows };
  const tasks = rows.slice(0, limit);
  const last = tasks[tasks.length - 1];
  return last ? { tasks, nextCursor: encodeCursor(last) } : { tasks };
}

function invalid(path: string, message: string): AppError {
  return new AppError('VALIDATION_FAILED', `invalid list query: ${path} ${message}`, {
    details: { issues: [{ path, message }] },
  });
}
