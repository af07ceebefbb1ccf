import type { TaskEvent } from '../events';
import type { Task, TaskResultView, TaskStatus, TaskView } from '../task';
import type { TaskStreamEvent } from '../task-stream';

/**
 * The persistence port of the result-store: tasks, their event history and results.
 *
 * Guarantees (contract suite): `createTask` is atomic and idempotent per (clientId,
 * idempotencyKey); `applyEvents` runs the task state machine (applyTaskEvent) and is idempotent
 * per event id; a task has at most one result, written by the first accepted `succeeded` event.
 * Applied events are numbered per task 1, 2, 3, ... without gaps (the creation event is 1;
 * ignored and duplicate events get no number), also when batches naming the same task race, and
 * `TaskView.eventSeq` is the task's latest number (see task-stream.ts).
 * Adapters: memory, and Prisma over PostgreSQL or PGlite.
 *
 * Left out: deleting tasks (retention is an operations job), and cross-task transactions.
 */
export interface CreateTaskOutcome {
  task: TaskView;
  /** false when the idempotency key matched an existing task, which is returned instead. */
  created: boolean;
  /** When created: the task's creation event (`queued`, attempt 0, seq 1). */
  event?: TaskStreamEvent;
}

export interface EventOutcome {
  eventId: string;
  taskId: string;
  /** applied: the task changed; duplicate: seen before; ignored: recorded, not applied; unknown_task. */
  outcome: 'applied' | 'duplicate' | 'ignored' | 'unknown_task';
  reason?: string;
  /** The task after the event when it was applied. */
  task?: TaskView;
  /** The event's sequence number within its task, when it was applied. */
  seq?: number;
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

/** How many durations, their percentiles (linear interpolation, like SQL percentile_cont) and maximum. */
export interface DurationSummary {
  count: number;
  p50: number | null;
  p95: number | null;
  p99: number | null;
  max: number | null;
}

/**
 * What the store can say about all tasks at once (the source of ResultStoreApi.taskMetrics).
 * "Finished since" means a final status (succeeded, cancelled, dead_lettered) entered at or after
 * `since`; latencies are over the tasks that succeeded since then: createdAt -> finishedAt, and
 * the agent's run time (the result's durationMs).
 */
export interface TaskFigures {
  byStatus: Record<TaskStatus, number>;
  /** Tasks in dispatched or running status, per agent id. */
  inFlightByAgent: Record<string, number>;
  finished: Record<'succeeded' | 'cancelled' | 'dead_lettered', number>;
  latencyMs: DurationSummary;
  runTimeMs: DurationSummary;
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
  /**
   * The applied events of a task with `seq > afterSeq`, in seq order, at most `limit`; empty for
   * an unknown task. Callers bound `limit` (the adapters do not).
   */
  taskEvents(taskId: string, afterSeq: number, limit: number): Promise<TaskStreamEvent[]>;
  /** Counts and latency figures; the window is the tasks finished at or after `since`. */
  taskFigures(since: Date): Promise<TaskFigures>;
  close(): Promise<void>;
}
