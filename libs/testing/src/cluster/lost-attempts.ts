import type { EventRow } from './task-db';

/** One attempt of a task, e.g. one that a killed agent never finished. */
export interface TaskAttempt {
  taskId: string;
  attempt: number;
}

/**
 * Attempts dispatched to `agentId` that never reported success: the ones its death cut short. A
 * dispatch the agent refused or never answered (the scheduler announces `dispatched` before it
 * calls the agent) is not one: it was put back with a `queued` event of the same attempt and no
 * `failed` one.
 */
export function lostAttempts(events: readonly EventRow[], agentId: string): TaskAttempt[] {
  const keyOf = (event: EventRow) => `${event.taskId}#${event.attempt}`;
  const ofType = (type: string) => new Set(events.filter((event) => event.type === type).map(keyOf));
  const succeeded = ofType('succeeded');
  const failed = ofType('failed');
  const requeued = ofType('queued');
  return events
    .filter((event) => event.type === 'dispatched' && event.agentId === agentId)
    .filter((event) => !succeeded.has(keyOf(event)))
    .filter((event) => failed.has(keyOf(event)) || !requeued.has(keyOf(event)))
    .map(({ taskId, attempt }) => ({ taskId, attempt }));
}
