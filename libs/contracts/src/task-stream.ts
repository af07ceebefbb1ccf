import { z } from 'zod';
import { TaskEventSchema, type TaskEvent } from './events';
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
 */
export interface TaskChangedMessage extends TaskStreamEvent {
  /** The task after the event. */
  task: TaskView;
}

export const TaskChangedMessageSchema = TaskStreamEventSchema.extend({ task: TaskViewSchema });
