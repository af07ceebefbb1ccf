import type { TaskStreamEvent, TaskView } from '@contextforge/contracts';
import type { Column } from '../format/table';

export const TASK_COLUMNS: ReadonlyArray<Column<TaskView>> = [
  { header: 'ID', value: (task) => task.id, maxWidth: 36 },
  { header: 'TYPE', value: (task) => task.type, maxWidth: 30 },
  { header: 'STATUS', value: (task) => task.status },
  { header: 'AGENT', value: (task) => task.agentId, maxWidth: 30 },
  { header: 'ATTEMPT', value: (task) => task.attempt, align: 'right' },
  { header: 'UPDATED', value: (task) => task.updatedAt },
];

/** One line per stream event: `#3  started  local-agent-1`, with what matters for its type. */
export function describeTaskEvent({ seq, event }: TaskStreamEvent): string {
  const parts = [`#${seq}`, event.type];
  switch (event.type) {
    case 'queued':
      if (event.reason) parts.push(event.reason);
      break;
    case 'dispatched':
    case 'started':
      parts.push(`attempt ${event.attempt} on ${event.agentId}`);
      break;
    case 'progress': {
      const { done, total, message } = event.progress;
      parts.push(total === undefined ? `${done}` : `${done}/${total}`);
      if (message) parts.push(message);
      break;
    }
    case 'succeeded':
      parts.push(`on ${event.agentId} in ${Math.round(event.durationMs)} ms`);
      break;
    case 'failed':
    case 'dead_lettered':
      parts.push(`${event.error.code}: ${event.error.message}`);
      break;
    case 'cancelled':
      parts.push(event.reason);
      break;
  }
  return parts.join('  ');
}
