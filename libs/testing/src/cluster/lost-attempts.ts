import type { EventRow } from './task-db';

/** One attempt of a task, e.g. one that a killed agent never finished. */
export interface TaskAttempt {
  taskId: string;
  attempt: number;
}

/** Attempts dispatched to `agentId` that never reported success: the ones its death cut short. */
export function lostAttempts(events: readonly EventRow[], agentId: string): TaskAttempt[] {
  const succeeded = new Set(
    events.filter((event) => event.type === 'succeeded').map((event) => `${event.taskId}#${event.attempt}`),
  );
  return events
    .filter((event) => event.type === 'dispatched' && event.agentId === agentId)
    .filter((event) => !succeeded.has(`${event.taskId}#${event.attempt}`))
    .map(({ taskId, attempt }) => ({ taskId, attempt }));
}
