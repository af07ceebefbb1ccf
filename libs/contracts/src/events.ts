import { z } from 'zod';
import { PayloadIdSchema } from './payloads';
import { SerializedErrorSchema, TaskSchema } from './task';

/**
 * Task lifecycle events, published on the task-events topic keyed by task id (so one task's
 * events stay in order within a partition) and applied by the result-store's state machine.
 *
 * `attempt` is the dispatch epoch. The scheduler raises it for every dispatch; events of an
 * older attempt than the task's current one are recorded but never change the task, which is
 * how a late result from a superseded attempt is rejected.
 *
 * Who publishes what: result-store `queued` (at submit); scheduler `queued` (re-queue with a
 * reason), `dispatched`, `failed` (lost agent, timeout), `dead_lettered`, `cancelled`;
 * agents `started`, `progress`, `succeeded`, `failed`, `cancelled`.
 */
const base = {
  eventId: z.uuid(),
  taskId: z.uuid(),
  attempt: z.int().min(0),
  at: z.iso.datetime(),
  /**
   * The attempt's fencing token, handed out with the claim (Assignment.token). The store applies
   * an event of the current attempt only with it (see applyTaskEvent); `dispatched` carries the
   * new attempt's token.
   */
  token: z.string().min(1).max(100).optional(),
};

export const TaskQueuedEventSchema = z.object({
  ...base,
  type: z.literal('queued'),
  reason: z.string().max(500).optional(),
  /** A retry: the task waits until then before it is claimed again. */
  notBefore: z.iso.datetime().optional(),
  /** A retry decision: failed attempts so far that count against maxAttempts. */
  failures: z.int().min(0).optional(),
});
export const TaskDispatchedEventSchema = z.object({
  ...base,
  type: z.literal('dispatched'),
  agentId: z.string(),
});
export const TaskStartedEventSchema = z.object({ ...base, type: z.literal('started'), agentId: z.string() });
export const TaskProgressEventSchema = z.object({
  ...base,
  type: z.literal('progress'),
  agentId: z.string(),
  progress: z.object({
    done: z.number().min(0),
    total: z.number().min(0).optional(),
    message: z.string().max(1000).optional(),
  }),
});
/**
 * The attempt's outcome. It carries exactly one of:
 * - `output`: the handler's output, inline (null for none);
 * - `outputRef`: the id of a payload holding it (PayloadStore), for an output whose JSON is larger
 *   than the inline limit (`payloads.inline_limit`), so that no bus message carries it. The store
 *   resolves the id when it applies the event: the task's result is the payload's content. An id
 *   that names no payload, or one of another task or attempt, gets the event ignored
 *   (PAYLOAD_NOT_FOUND). In a TaskChangedMessage it may also be RESULT_OUTPUT_REF (task-stream.ts).
 * Readers of an event with `outputRef` read the output as the task's result (GET /tasks/{id}/result).
 */
export const TaskSucceededEventSchema = z
  .object({
    ...base,
    type: z.literal('succeeded'),
    agentId: z.string(),
    output: z.unknown().optional(),
    outputRef: PayloadIdSchema.optional(),
    durationMs: z.number().min(0),
  })
  .refine((event) => (event.output !== undefined) !== (event.outputRef !== undefined), {
    message: 'a succeeded event carries exactly one of output and outputRef',
    path: ['output'],
  });
export const TaskFailedEventSchema = z.object({
  ...base,
  type: z.literal('failed'),
  agentId: z.string().optional(),
  error: SerializedErrorSchema,
});
export const TaskCancelledEventSchema = z.object({
  ...base,
  type: z.literal('cancelled'),
  reason: z.string().max(500),
});
export const TaskDeadLetteredEventSchema = z.object({
  ...base,
  type: z.literal('dead_lettered'),
  error: SerializedErrorSchema,
  failures: z.int().min(0).optional(),
});

export const TaskEventSchema = z.discriminatedUnion('type', [
  TaskQueuedEventSchema,
  TaskDispatchedEventSchema,
  TaskStartedEventSchema,
  TaskProgressEventSchema,
  TaskSucceededEventSchema,
  TaskFailedEventSchema,
  TaskCancelledEventSchema,
  TaskDeadLetteredEventSchema,
]);
export type TaskEvent = z.output<typeof TaskEventSchema>;
export type TaskEventType = TaskEvent['type'];
export type TaskEventOf<T extends TaskEventType> = Extract<TaskEvent, { type: T }>;

/** Published on the task-submitted topic once a task is durably stored as queued. */
export const TaskSubmittedMessageSchema = z.object({ task: TaskSchema });
export type TaskSubmittedMessage = z.output<typeof TaskSubmittedMessageSchema>;

/** Control messages to the scheduler (cancellation from any gateway replica, re-drive). */
export const TaskControlMessageSchema = z.discriminatedUnion('action', [
  z.object({ action: z.literal('cancel'), taskId: z.uuid(), reason: z.string().max(500) }),
  z.object({ action: z.literal('redrive'), task: TaskSchema, attempt: z.int().min(0) }),
]);
export type TaskControlMessage = z.output<typeof TaskControlMessageSchema>;
