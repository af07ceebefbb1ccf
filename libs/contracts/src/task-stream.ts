import { z } from 'zod';
import { TaskEventSchema, type TaskEvent } from './events';
import { exceedsInlineLimit } from './payloads';
import { TaskViewSchema, type TaskView } from './task';

/**
 * Task event sequence numbers. The result-store numbers the events it APPLIES to a task 1, 2, 3,
 * ... (contiguous per task, assigned under the task's row lock; ignored and duplicate events get
 * none), stores the number with the event, and reports the task's latest one as
 * `TaskView.eventSeq`. Streams (WebSocket /tasks/stream/{id}, gRPC StreamResults) carry these
 * numbers, so a client that resumes after `seq` N gets exactly the events N+1, ... from the
 * durable history, on any gateway replica: no gaps, no duplicates.
 */
export interface TaskStreamEvent {
  seq: number;
  event: TaskEvent;
}

export const TaskStreamEventSchema = z.object({ seq: z.int().min(1), event: TaskEventSchema });

/**
 * Published by the result-store on the task-changes topic after each applied event is committed,
 * keyed by task id (so in seq order per task). Gateways consume it, each replica in a group of its
 * own starting at the latest offset, to feed live streams; history comes from the store.
 *
 * Bounded size (payloads by reference, payloads.ts): a message never carries a task input or an
 * output whose JSON is larger than the inline limit (`payloads.inline_limit`, default 64 KiB), so
 * no message can outgrow the broker's limit however large the work is:
 * - `task.input` is then null and `inputOmitted` is true; the input is the task's, read with
 *   GET /tasks/{id} (ResultStoreApi.getTask).
 * - a `succeeded` event carries `outputRef` instead of `output`: the id of the payload the agent
 *   uploaded, or RESULT_OUTPUT_REF when the agent sent the output inline. Either way the output is
 *   the task's result: read it with GET /tasks/{id}/result (ResultStoreApi.getResult).
 * Smaller inputs and outputs travel as they are. The store's history (taskEvents) keeps every event
 * as it was received.
 */
export interface TaskChangedMessage extends TaskStreamEvent {
  /** The task after the event. */
  task: TaskView;
  /** True when `task.input` was left out (it is null here) because it is larger than the inline limit. */
  inputOmitted?: true;
}

export const TaskChangedMessageSchema = TaskStreamEventSchema.extend({
  task: TaskViewSchema,
  inputOmitted: z.literal(true).optional(),
});

/**
 * The few fields of a task change that consumers which only react to it read (the scheduler's
 * wake-ups and cancellations, the job coordinator's filter): validated as strictly as the full
 * message, but without walking the task's input, output and history fields, which they never read
 * (the full parse of every change cost the scheduler more CPU than its claims).
 */
export const TaskChangeSignalSchema = z.object({
  seq: z.int().min(1),
  event: z.object({
    type: z.enum([
      'queued',
      'dispatched',
      'started',
      'progress',
      'succeeded',
      'failed',
      'cancelled',
      'dead_lettered',
    ]),
    attempt: z.int().min(0),
    reason: z.string().optional(),
  }),
  task: z.object({
    id: z.string().min(1),
    type: z.string().min(1),
    agentId: z.string().optional(),
    parentId: z.string().optional(),
  }),
});
export type TaskChangeSignal = z.output<typeof TaskChangeSignalSchema>;

/**
 * The `outputRef` of a `succeeded` event in a TaskChangedMessage whose output was sent inline but
 * is larger than the inline limit: "the output is the task's result". Never a payload id (those
 * are UUIDs): an agent's event carrying it is ignored like one naming any unknown payload.
 */
export const RESULT_OUTPUT_REF = 'result';

/**
 * The message as the bus may carry it (see TaskChangedMessage): an input or inline output larger
 * than `inlineLimitBytes` is left out. Returns `change` itself when nothing had to go.
 */
export function boundTaskChange(change: TaskChangedMessage, inlineLimitBytes: number): TaskChangedMessage {
  const { event, task } = change;
  const dropInput = !change.inputOmitted && exceedsInlineLimit(task.input, inlineLimitBytes);
  const dropOutput =
    event.type === 'succeeded' &&
    event.output !== undefined &&
    exceedsInlineLimit(event.output, inlineLimitBytes);
  if (!dropInput && !dropOutput) return change;
  let bounded: TaskChangedMessage = change;
  if (dropInput) bounded = { ...bounded, task: { ...task, input: null }, inputOmitted: true };
  if (dropOutput && event.type === 'succeeded') {
    const { output: _output, ...rest } = event;
    bounded = { ...bounded, event: { ...rest, outputRef: RESULT_OUTPUT_REF } };
  }
  return bounded;
}
