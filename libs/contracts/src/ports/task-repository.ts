import type { TaskEvent } from '../events';
import type { Task, TaskResultView, TaskView } from '../task';

/**
 * The persistence port of the result-store: tasks, their event history and results.
 *
 * Guarantees (contract suite): `createTask` is atomic and idempotent per (clientId,
 * idempotencyKey); `applyEvents` runs the task state machine (applyTaskEvent) and is idempotent
 * per event id; a task has at most one result, written by the first accepted `succeeded` event.
 * Adapters: memory, and Prisma over PostgreSQL or PGlite.
 *
 * Left out: deleting tasks (retention is an operations job), and cross-task transactions.
 */
export interface CreateTaskOutcome {
  task: TaskView;
  /** false when the idempotency key matched an existing task, which is returned instead. */
  created: boolean;
}

export interface EventOutcome {
  eventId: string;
  taskId: string;
  /** applied: the task changed; duplicate: seen before; ignored: recorded, not applied; unknown_task. */
  outcome: 'applied' | 'duplicate' | 'ignored' | 'unknown_task';
  reason?: string;
  /** The task after the event when it was applied. */
  task?: TaskView;
}

export interface ListTasksFilter {
  clientId?: string;
  status?: TaskView['status'];
  type?: string;
  agentId?: string;
  limit?: number;
  /** Opaque cursor from the previous page. */
  cursor?: string;
}

export interface TaskPage {
  tasks: TaskView[];
  nextCursor?: string;
}

export interface TaskRepository {
  connect(): Promise<void>;
  createTask(task: Task): Promise<CreateTaskOutcome>;
  getTask(id: string): Promise<TaskView | undefined>;
  getResult(taskId: string): Promise<TaskResultView | undefined>;
  listTasks(filter: ListTasksFilter): Promise<TaskPage>;
  /** Applies events in order, in one transaction where the adapter has them. */
  applyEvents(events: readonly TaskEvent[]): Promise<EventOutcome[]>;
  countByStatus(): Promise<Record<TaskView['status'], number>>;
  close(): Promise<void>;
}
