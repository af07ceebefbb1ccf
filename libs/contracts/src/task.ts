import { z } from 'zod';
import type { SerializedError } from './errors';

export const TASK_PRIORITY_MIN = 0;
export const TASK_PRIORITY_MAX = 9;
export const DEFAULT_TASK_PRIORITY = 5;
export const DEFAULT_TASK_TIMEOUT_MS = 30_000;
export const DEFAULT_MAX_ATTEMPTS = 3;

const taskType = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[a-z0-9][a-z0-9._-]*$/, 'lower-case letters, digits and . _ - only');

/** The body of POST /tasks/submit. Unknown fields are rejected so typos do not pass silently. */
export const TaskSubmissionSchema = z.strictObject({
  type: taskType,
  input: z.unknown().default(null),
  priority: z.int().min(TASK_PRIORITY_MIN).max(TASK_PRIORITY_MAX).default(DEFAULT_TASK_PRIORITY),
  requiredCapabilities: z.array(z.string().min(1).max(100)).max(50).default([]),
  timeoutMs: z
    .int()
    .min(1)
    .max(24 * 60 * 60 * 1000)
    .default(DEFAULT_TASK_TIMEOUT_MS),
  maxAttempts: z.int().min(1).max(100).default(DEFAULT_MAX_ATTEMPTS),
  idempotencyKey: z.string().min(1).max(200).optional(),
});
export type TaskSubmission = z.output<typeof TaskSubmissionSchema>;
export type TaskSubmissionInput = z.input<typeof TaskSubmissionSchema>;

/** A task as the platform knows it once accepted: the submission plus identity. */
export const TaskSchema = z.object({
  id: z.uuid(),
  clientId: z.string().min(1).max(200),
  type: taskType,
  input: z.unknown(),
  priority: z.int().min(TASK_PRIORITY_MIN).max(TASK_PRIORITY_MAX),
  requiredCapabilities: z.array(z.string()),
  timeoutMs: z.int().min(1),
  maxAttempts: z.int().min(1),
  idempotencyKey: z.string().optional(),
  parentId: z.uuid().optional(),
  createdAt: z.iso.datetime(),
  /**
   * The W3C trace context the task was submitted in (absent when tracing is off). Stored with the
   * task, so that a scheduler adopting it after a restart or a change of leader, or a re-drive,
   * continues the same trace.
   */
  traceparent: z.string().max(200).optional(),
});
export type Task = z.output<typeof TaskSchema>;

export const TASK_STATUSES = [
  'queued',
  'dispatched',
  'running',
  'failed',
  'succeeded',
  'cancelled',
  'dead_lettered',
] as const;
export const TaskStatusSchema = z.enum(TASK_STATUSES);
export type TaskStatus = z.output<typeof TaskStatusSchema>;

export const FINAL_TASK_STATUSES: ReadonlySet<TaskStatus> = new Set([
  'succeeded',
  'cancelled',
  'dead_lettered',
]);

export function isFinalStatus(status: TaskStatus): boolean {
  return FINAL_TASK_STATUSES.has(status);
}

export const SerializedErrorSchema = z.object({
  code: z.string(),
  message: z.string(),
  retryable: z.boolean(),
  details: z.record(z.string(), z.unknown()).optional(),
}) as unknown as z.ZodType<SerializedError>;

/** A task with its current state, as GET /tasks/{id} returns it. */
export interface TaskView extends Task {
  status: TaskStatus;
  /** Why the task is in this status, e.g. "no healthy agent has capability rust". */
  statusReason?: string;
  /** Dispatch epoch: 0 before the first dispatch, then 1, 2, ... */
  attempt: number;
  agentId?: string;
  lastError?: SerializedError;
  updatedAt: string;
  finishedAt?: string;
  /**
   * Sequence number of the last event applied to the task (1 after creation); resume a task
   * stream after it to get only later events (see task-stream.ts).
   */
  eventSeq: number;
  /**
   * True when the task was answered from the result cache: created already succeeded with the
   * result of an earlier identical task of the same client, never dispatched. Absent otherwise.
   */
  fromCache?: boolean;
  /** Failed attempts so far that count against maxAttempts (absent: none). */
  failures?: number;
  /** A queued task waiting for its retry: not claimed before this time. */
  notBefore?: string;
}

/** The schema of TaskView, for validating it where it crosses a process boundary and for OpenAPI. */
export const TaskViewSchema = TaskSchema.extend({
  status: z.enum(TASK_STATUSES),
  statusReason: z.string().optional(),
  attempt: z.int().min(0),
  agentId: z.string().optional(),
  lastError: SerializedErrorSchema.optional(),
  updatedAt: z.iso.datetime(),
  finishedAt: z.iso.datetime().optional(),
  eventSeq: z.int().min(0),
  fromCache: z.boolean().optional(),
  failures: z.int().min(0).optional(),
  notBefore: z.iso.datetime().optional(),
}) satisfies z.ZodType<TaskView>;

export const TaskResultViewSchema = z.object({
  taskId: z.uuid(),
  attempt: z.int().min(0),
  agentId: z.string(),
  output: z.unknown(),
  durationMs: z.number().min(0),
  createdAt: z.iso.datetime(),
  fromCache: z.boolean().optional(),
}) satisfies z.ZodType<TaskResultView>;

export interface TaskResultView {
  taskId: string;
  attempt: number;
  /** The agent that computed the output (for a cached result: the agent of the original task). */
  agentId: string;
  output: unknown;
  durationMs: number;
  createdAt: string;
  /** True when this is a copy of an earlier identical task's result (see TaskView.fromCache). */
  fromCache?: boolean;
}

/** The task part of a TaskView (what the scheduler needs), without its state. */
export function taskFromView(view: TaskView): Task {
  return {
    id: view.id,
    clientId: view.clientId,
    type: view.type,
    input: view.input,
    priority: view.priority,
    requiredCapabilities: view.requiredCapabilities,
    timeoutMs: view.timeoutMs,
    maxAttempts: view.maxAttempts,
    ...(view.idempotencyKey === undefined ? {} : { idempotencyKey: view.idempotencyKey }),
    ...(view.parentId === undefined ? {} : { parentId: view.parentId }),
    createdAt: view.createdAt,
    ...(view.traceparent === undefined ? {} : { traceparent: view.traceparent }),
  };
}
