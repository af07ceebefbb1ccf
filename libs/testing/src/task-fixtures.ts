import { randomUUID } from 'node:crypto';
import {
  TaskEventSchema,
  TaskSchema,
  type Task,
  type TaskEvent,
  type TaskEventOf,
  type TaskEventType,
} from '@contextforge/contracts';

/**
 * Valid tasks and task events for tests, checked against the contract schemas so a fixture can
 * never be something the real system would reject. Every call gets fresh ids.
 */
export function buildTask(overrides: Partial<Task> = {}): Task {
  return TaskSchema.parse({
    id: randomUUID(),
    clientId: 'client-fixture',
    type: 'analyze.file',
    input: { path: 'src/index.ts', language: 'typescript' },
    priority: 5,
    requiredCapabilities: ['typescript'],
    timeoutMs: 30_000,
    maxAttempts: 3,
    createdAt: new Date().toISOString(),
    ...overrides,
  });
}

const DEFAULT_FIELDS: {
  [T in TaskEventType]: Omit<TaskEventOf<T>, 'type' | 'eventId' | 'taskId' | 'attempt' | 'at'>;
} = {
  queued: {},
  dispatched: { agentId: 'agent-a' },
  started: { agentId: 'agent-a' },
  progress: { agentId: 'agent-a', progress: { done: 1, total: 2 } },
  succeeded: { agentId: 'agent-a', output: { findings: [] }, durationMs: 12 },
  failed: { agentId: 'agent-a', error: { code: 'HANDLER_FAILED', message: 'boom', retryable: true } },
  cancelled: { reason: 'cancelled by client' },
  dead_lettered: { error: { code: 'NON_RETRYABLE_FAILURE', message: 'cannot analyse', retryable: false } },
};

/** An event of `type` for attempt `attempt` of a task, with plausible defaults for its fields. */
export function buildTaskEvent<T extends TaskEventType>(
  type: T,
  taskId: string,
  attempt: number,
  fields: Partial<Omit<TaskEventOf<T>, 'type' | 'taskId' | 'attempt'>> = {},
): TaskEventOf<T> {
  const event: unknown = {
    ...DEFAULT_FIELDS[type],
    eventId: randomUUID(),
    at: new Date().toISOString(),
    ...fields,
    type,
    taskId,
    attempt,
  };
  return TaskEventSchema.parse(event) as TaskEventOf<T>;
}

/** dispatched, started, succeeded of one attempt: the happy path of a task. */
export function lifecycleEvents(taskId: string, attempt = 1, agentId = 'agent-a'): TaskEvent[] {
  return [
    buildTaskEvent('dispatched', taskId, attempt, { agentId }),
    buildTaskEvent('started', taskId, attempt, { agentId }),
    buildTaskEvent('succeeded', taskId, attempt, { agentId, output: { taskId, ok: true }, durationMs: 7 }),
  ];
}
