import type { SymbolDef } from '../analysis';
import type { TaskEvent } from '../events';
import type { Task, TaskResultView, TaskStatus, TaskView } from '../task';
import type { TaskStreamEvent } from '../task-stream';
import type { PayloadOwner, PayloadRef, StoredPayload } from './payload-store';

/**
 * The persistence port of the result-store: tasks, their event history and results.
 *
 * Guarantees (contract suite): `createTask` is atomic and idempotent per (clientId,
 * idempotencyKey); `applyEvents` runs the task state machine (applyTaskEvent) and is idempotent
 * per event id; a task has at most one result, written by the first accepted `succeeded` event.
 * Applied events are numbered per task 1, 2, 3, ... without gaps (the creation event is 1;
 * ignored and duplicate events get no number), also when batches naming the same task race, and
 * `TaskView.eventSeq` is the task's latest number (see task-stream.ts).
 * Payloads by reference (payload-store.ts): a `succeeded` event with `outputRef` is applied with
 * the payload's content as its result (symbols indexed from it), read in the batch's transaction;
 * an id that names no payload of the event's task and attempt gets the event ignored
 * (PAYLOAD_NOT_FOUND). The changes written for the task-changes topic are bounded by the inline
 * limit (boundTaskChange, task-stream.ts).
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
  /**
   * When created from the result cache: the `succeeded` event (attempt 0, seq 2) that completed
   * it in the same write, with the cached output. The task is then final and must not be queued.
   */
  completion?: TaskStreamEvent;
}

/** One item of `createTasks`. */
export interface CreateTaskItem {
  task: Task;
  options?: CreateTaskOptions;
}

/**
 * The answer for one item of `createTasks`: its outcome, or the error `createTask` would have
 * thrown for it alone (IDEMPOTENCY_CONFLICT, ...). One item's error does not undo the others.
 */
export type CreateTaskResult = { ok: true; outcome: CreateTaskOutcome } | { ok: false; error: unknown };

export interface CreateTaskOptions {
  /**
   * The task's result-cache key. When a succeeded task of the same client has the same key, the
   * new task is created succeeded at once (TaskView.fromCache) with a copy of that task's result
   * (TaskResultView.fromCache; agentId and durationMs of the original); the symbols of the
   * original are not copied (a search finds them under the original task). Either way the key is
   * stored, so a later task can be served from this one once it succeeds. Without a key the
   * task never hits, and never serves a hit. The scope is one client: a key never matches
   * another client's task, so the cache cannot tell anyone what another tenant submitted.
   */
  cacheKey?: string;
}

/**
 * Symbol search (GET /search). `text` is split into words like the indexed symbols (camelCase,
 * snake_case, kebab-case and other separators); a symbol matches when it has every word, the
 * last one as a prefix. Indexed per symbol: the name's words and the whole name (weight A), the
 * kind (B), the file path's segments and words (C) and the signature's words (D).
 * Ranked by score, highest first: 1 + relevance for a name equal to `text` (case-insensitive),
 * relevance alone otherwise, where relevance in [0, 1) grows with the weight of the matched
 * fields (Postgres ts_rank normalised as rank/(rank+1); the memory adapter approximates it).
 * Ties are ordered by name, file, line and task id, so pages are stable while nothing changes.
 */
export interface SymbolSearchFilter {
  text: string;
  /** Only symbols of this client's tasks; undefined searches every client's (admins). */
  clientId?: string;
  kinds?: ReadonlyArray<SymbolDef['kind']>;
  language?: string;
  limit: number;
  /** Opaque cursor from the previous page (VALIDATION_FAILED when it is not one). */
  cursor?: string;
}

export interface SymbolHit {
  symbol: SymbolDef;
  taskId: string;
  score: number;
}

export interface SymbolSearchPage {
  results: SymbolHit[];
  nextCursor?: string;
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
  /** Only the children of this job (tasks submitted with SubmitOptions.parentId). */
  parentId?: string;
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
  /** Tasks in queued status by priority (index = priority, always TASK_PRIORITY_MAX + 1 entries). */
  queuedByPriority: number[];
  finished: Record<'succeeded' | 'cancelled' | 'dead_lettered', number>;
  latencyMs: DurationSummary;
  runTimeMs: DurationSummary;
}

export interface TaskRepository {
  connect(): Promise<void>;
  createTask(task: Task, options?: CreateTaskOptions): Promise<CreateTaskOutcome>;
  /**
   * `createTask` for many tasks, answered in item order with the same per-item guarantees; an
   * adapter writes the plain ones (no cache key) in one statement. Two items with the same
   * (clientId, idempotencyKey) behave like two createTask calls in item order.
   */
  createTasks(items: readonly CreateTaskItem[]): Promise<CreateTaskResult[]>;
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
  /**
   * Symbols indexed from results: when a `succeeded` event is applied and its output is an object
   * with a `symbols` array, each element that is a valid SymbolDef is stored with the result (same
   * transaction), under the task and its client; invalid elements are skipped, never failing the
   * event. VALIDATION_FAILED when `text` has no word to search for or the cursor is foreign.
   */
  searchSymbols(filter: SymbolSearchFilter): Promise<SymbolSearchPage>;
  /**
   * Stores an attempt's output as a payload (PayloadStore.put, with its guarantees): under the
   * task's row lock, accepted only for the current attempt with its fencing token, while a
   * `succeeded` of it could still apply (TASK_NOT_FOUND, STALE_ATTEMPT, STALE_TOKEN,
   * INVALID_TRANSITION otherwise; nothing is stored then).
   */
  putOutputPayload(owner: PayloadOwner, output: unknown): Promise<PayloadRef>;
  getPayload(id: string): Promise<StoredPayload | undefined>;
  close(): Promise<void>;
}
