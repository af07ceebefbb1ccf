import type { Agent, AgentRegistration } from '../agent';
import type { TaskStreamEvent } from '../task-stream';
import type { TaskSubmission, TaskResultView, TaskView } from '../task';
import type { ListTasksFilter, SymbolSearchFilter, SymbolSearchPage, TaskPage } from './task-repository';

/**
 * What the gateway needs from the result-store and the registry. The embedded mode passes the
 * services themselves; the cluster passes HTTP clients with the same shape.
 */
export interface SubmitOutcome {
  task: TaskView;
  created: boolean;
}

export interface RedriveOutcome {
  /** Tasks queued again, each with a new attempt. */
  redriven: TaskView[];
  /** Tasks left as they were, with the error code saying why (TASK_NOT_FOUND, TASK_NOT_DEAD_LETTERED). */
  skipped: Array<{ taskId: string; code: string; message: string }>;
}

/** Internal submit options (never taken from the public request body). */
export interface SubmitOptions {
  /** The job this task is a chunk (child) of; its clientId must be the parent's. */
  parentId?: string;
  /**
   * Result-cache key (content, agent type, agent type version, options): a task with the key of an
   * earlier success of the same client is created already succeeded with that result, marked
   * `fromCache`, and never dispatched.
   */
  cacheKey?: string;
}

/** One task of submitBatch: the submission and its internal options. */
export interface BatchSubmitItem {
  submission: TaskSubmission;
  options?: SubmitOptions;
}

export interface ResultStoreApi {
  submit(submission: TaskSubmission, clientId: string, options?: SubmitOptions): Promise<SubmitOutcome>;
  /**
   * Submits several tasks of one client in one call (one round trip for the HTTP client), each
   * exactly like `submit` (its own idempotency key and options), answering in the items' order.
   * Not atomic: on an error the tasks before the failing item stay submitted (and are announced);
   * a retry with the same idempotency keys answers them again instead of duplicating them.
   */
  submitBatch(items: readonly BatchSubmitItem[], clientId: string): Promise<SubmitOutcome[]>;
  /** Symbol search over indexed results (see SymbolSearchFilter). */
  searchSymbols(filter: SymbolSearchFilter): Promise<SymbolSearchPage>;
  getTask(id: string): Promise<TaskView | undefined>;
  getResult(taskId: string): Promise<TaskResultView | undefined>;
  listTasks(filter: ListTasksFilter): Promise<TaskPage>;
  /**
   * Cancels a task that is not final: the task is `cancelled` in the store at once (so the answer
   * is definite and any gateway replica can do it) and the event is published for the scheduler,
   * which drops a queued task or asks the agent to abort the running attempt.
   * Throws TASK_NOT_FOUND, or TASK_ALREADY_FINAL for a task that already ended.
   */
  cancel(taskId: string, reason: string): Promise<TaskView>;
  /** Queues dead-lettered tasks again with a new attempt; others are reported as skipped. */
  redrive(taskIds: readonly string[]): Promise<RedriveOutcome>;
  /**
   * The applied events of a task with `seq > afterSeq`, in seq order, at most `limit` (default and
   * maximum 1000). Empty for an unknown task. Streams read history here and live events from the
   * task-changes topic.
   */
  taskEvents(taskId: string, afterSeq: number, limit?: number): Promise<TaskStreamEvent[]>;
  /** Counts and latencies of tasks (GET /metrics/tasks and /metrics/performance). */
  taskMetrics(): Promise<TaskMetrics>;
}

/**
 * Task figures computed by the result-store from its tables. Windows are trailing, ending now.
 */
export interface TaskMetrics {
  at: string;
  /** Every task by status. */
  byStatus: Record<TaskView['status'], number>;
  /** Tasks in dispatched or running status, per agent id. */
  inFlightByAgent: Record<string, number>;
  /**
   * Tasks in queued status by priority (index = priority, TASK_PRIORITY_MIN..MAX): submitted or
   * re-driven or retried and not yet dispatched. Counted from the tasks table, like byStatus.
   */
  queuedByPriority: number[];
  /** Tasks that reached a final status in the window, by status and per second. */
  window: {
    seconds: number;
    finished: Record<'succeeded' | 'cancelled' | 'dead_lettered', number>;
    throughputPerSecond: number;
  };
  /**
   * Over tasks that succeeded in the window: time from submission to the final status, and the
   * agent's own run time (task_results.duration_ms), in milliseconds; null when there were none.
   */
  latencyMs: {
    count: number;
    p50: number | null;
    p95: number | null;
    p99: number | null;
    max: number | null;
  };
  runTimeMs: {
    count: number;
    p50: number | null;
    p95: number | null;
    p99: number | null;
    max: number | null;
  };
}

export interface RegistryApi {
  listAgents(): Promise<Agent[]>;
  getAgent(id: string): Promise<Agent | undefined>;
  /**
   * Registers (or re-registers) an agent reached over the network, e.g. one that registered
   * through the gateway's POST /agents/register or gRPC RegisterAgent. It must then heartbeat
   * within the TTL like any agent.
   */
  register(registration: AgentRegistration): Promise<Agent>;
  /** Refreshes an agent's TTL. Throws AGENT_NOT_FOUND when it is not registered. */
  heartbeat(agentId: string): Promise<void>;
  /** Removes an agent. Throws AGENT_NOT_FOUND when it is not registered. */
  deregister(agentId: string): Promise<void>;
}
