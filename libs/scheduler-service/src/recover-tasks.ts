import type { ResultStoreApi, TaskView } from '@contextforge/contracts';
import type { Scheduler } from './scheduler';

const OPEN_STATUSES = ['running', 'dispatched', 'failed', 'queued'] as const;

/**
 * Rebuilds a (re)started scheduler's state from the result-store: every task not final is adopted,
 * oldest first so FIFO within a priority holds across the restart. Returns how many were adopted.
 */
export async function recoverTasks(
  scheduler: Scheduler,
  store: Pick<ResultStoreApi, 'listTasks'>,
): Promise<number> {
  const open: TaskView[] = [];
  for (const status of OPEN_STATUSES) {
    let cursor: string | undefined;
    do {
      const page = await store.listTasks({ status, limit: 500, ...(cursor ? { cursor } : {}) });
      open.push(...page.tasks);
      cursor = page.nextCursor;
    } while (cursor);
  }
  open.sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0));
  for (const task of open) await scheduler.adopt(task);
  return open.length;
}
