import {
  AgentSchema,
  AppError,
  type AgentRegistration,
  type TaskMetrics,
  type TaskStreamEvent,
  type RedriveOutcome,
  type Agent,
  type ListTasksFilter,
  type RegistryApi,
  type ResultStoreApi,
  type BatchSubmitItem,
  type SubmitOptions,
  type SubmitOutcome,
  type SymbolSearchFilter,
  type SymbolSearchPage,
  type TaskPage,
  type TaskResultView,
  type TaskSubmission,
  type TaskView,
} from '@contextforge/contracts';
import { randomUUID } from 'node:crypto';

/**
 * An in-memory ResultStoreApi for gateway tests (the gateway may not depend on the result-store
 * service). It keeps what the gateway needs to observe: tasks, idempotency per client and key,
 * results, and the filters the gateway passed to listTasks. State changes are made by the test
 * with `update`; no state machine runs here.
 */
export class FakeResultStore implements ResultStoreApi {
  readonly listCalls: ListTasksFilter[] = [];
  /** What taskMetrics answers; tests set the parts they check. */
  metrics: TaskMetrics = emptyTaskMetrics();
  private readonly tasks = new Map<string, TaskView>();
  private readonly events = new Map<string, TaskStreamEvent[]>();
  private readonly results = new Map<string, TaskResultView>();
  private readonly keys = new Map<string, string>();
  private readonly cacheKeys = new Map<string, string>();
  /** The options of every submit (batch items included), in order. */
  readonly submitOptions: Array<SubmitOptions | undefined> = [];
  /** Calls of submitBatch (their sizes), to see that a batch is one call. */
  readonly batchSizes: number[] = [];
  /** The filters searchSymbols was called with, and what it answers. */
  readonly searches: SymbolSearchFilter[] = [];
  searchAnswer: SymbolSearchPage = { results: [] };

  async submitBatch(items: readonly BatchSubmitItem[], clientId: string): Promise<SubmitOutcome[]> {
    this.batchSizes.push(items.length);
    const outcomes: SubmitOutcome[] = [];
    for (const item of items) outcomes.push(await this.submit(item.submission, clientId, item.options));
    return outcomes;
  }

  async searchSymbols(filter: SymbolSearchFilter): Promise<SymbolSearchPage> {
    this.searches.push(filter);
    return structuredClone(this.searchAnswer);
  }

  /**
   * Idempotent per client and key; with options.cacheKey, a succeeded task of the same client
   * with the same key makes the new task succeeded with `fromCache` (the real rule, simplified).
   */
  async submit(
    submission: TaskSubmission,
    clientId: string,
    options?: SubmitOptions,
  ): Promise<SubmitOutcome> {
    this.submitOptions.push(options);
    const key =
      submission.idempotencyKey === undefined ? undefined : `${clientId}\n${submission.idempotencyKey}`;
    const existing = key && this.tasks.get(this.keys.get(key) ?? '');
    if (existing) return { task: structuredClone(existing), created: false };
    const now = new Date().toISOString();
    const task: TaskView = {
      ...submission,
      id: randomUUID(),
      clientId,
      status: 'queued',
      attempt: 0,
      createdAt: now,
      updatedAt: now,
      eventSeq: 1,
    };
    const cacheKey = options?.cacheKey;
    const hit =
      cacheKey !== undefined &&
      [...this.cacheKeys].some(
        ([id, candidate]) =>
          candidate === cacheKey &&
          this.tasks.get(id)?.clientId === clientId &&
          this.tasks.get(id)?.status === 'succeeded',
      );
    if (hit) Object.assign(task, { status: 'succeeded', eventSeq: 2, fromCache: true });
    this.tasks.set(task.id, task);
    if (cacheKey !== undefined) this.cacheKeys.set(task.id, cacheKey);
    if (key) this.keys.set(key, task.id);
    return { task: structuredClone(task), created: true };
  }

  async getTask(id: string): Promise<TaskView | undefined> {
    const task = this.tasks.get(id);
    return task && structuredClone(task);
  }

  async getResult(taskId: string): Promise<TaskResultView | undefined> {
    const result = this.results.get(taskId);
    return result && structuredClone(result);
  }

  async cancel(taskId: string, reason: string): Promise<TaskView> {
    const task = this.tasks.get(taskId);
    if (!task) throw new AppError('TASK_NOT_FOUND', `no task ${taskId}`);
    if (['succeeded', 'cancelled', 'dead_lettered'].includes(task.status)) {
      throw new AppError('TASK_ALREADY_FINAL', `task ${taskId} is already ${task.status}`, {
        details: { status: task.status },
      });
    }
    Object.assign(task, { status: 'cancelled', statusReason: reason });
    return structuredClone(task);
  }

  async redrive(taskIds: readonly string[]): Promise<RedriveOutcome> {
    const outcome: RedriveOutcome = { redriven: [], skipped: [] };
    for (const taskId of taskIds) {
      const task = this.tasks.get(taskId);
      if (task?.status !== 'dead_lettered') {
        outcome.skipped.push({
          taskId,
          code: task ? 'TASK_NOT_DEAD_LETTERED' : 'TASK_NOT_FOUND',
          message: 'skipped',
        });
        continue;
      }
      Object.assign(task, { status: 'queued', attempt: task.attempt + 1 });
      outcome.redriven.push(structuredClone(task));
    }
    return outcome;
  }

  async listTasks(filter: ListTasksFilter): Promise<TaskPage> {
    this.listCalls.push(filter);
    const matching = [...this.tasks.values()].filter(
      (task) =>
        (filter.clientId === undefined || task.clientId === filter.clientId) &&
        (filter.status === undefined || task.status === filter.status) &&
        (filter.type === undefined || task.type === filter.type) &&
        (filter.agentId === undefined || task.agentId === filter.agentId),
    );
    const start = filter.cursor === undefined ? 0 : Number(filter.cursor);
    const end = start + (filter.limit ?? 50);
    return {
      tasks: matching.slice(start, end).map((task) => structuredClone(task)),
      ...(end < matching.length ? { nextCursor: String(end) } : {}),
    };
  }

  async taskEvents(taskId: string, afterSeq: number, limit = 1000): Promise<TaskStreamEvent[]> {
    return structuredClone(
      (this.events.get(taskId) ?? []).filter((event) => event.seq > afterSeq).slice(0, limit),
    );
  }

  async taskMetrics(): Promise<TaskMetrics> {
    return structuredClone(this.metrics);
  }

  /** Records an applied event of a task (for taskEvents), numbering it after the task's eventSeq. */
  appendEvent(taskId: string, event: TaskStreamEvent['event']): TaskStreamEvent {
    const task = this.tasks.get(taskId);
    if (!task) throw new Error(`no task ${taskId}`);
    task.eventSeq += 1;
    const sequenced = { seq: task.eventSeq, event };
    this.events.set(taskId, [...(this.events.get(taskId) ?? []), sequenced]);
    return structuredClone(sequenced);
  }

  /** Stores a task as it is, e.g. one of another client. */
  put(task: TaskView): void {
    this.tasks.set(task.id, structuredClone(task));
  }

  update(id: string, changes: Partial<TaskView>, result?: Omit<TaskResultView, 'taskId'>): TaskView {
    const task = this.tasks.get(id);
    if (!task) throw new Error(`no task ${id}`);
    Object.assign(task, changes, { updatedAt: new Date().toISOString() });
    if (result) this.results.set(id, { ...result, taskId: id });
    return structuredClone(task);
  }
}

export function emptyTaskMetrics(): TaskMetrics {
  const percentiles = { count: 0, p50: null, p95: null, p99: null, max: null };
  return {
    at: new Date(0).toISOString(),
    byStatus: {
      queued: 0,
      dispatched: 0,
      running: 0,
      failed: 0,
      succeeded: 0,
      cancelled: 0,
      dead_lettered: 0,
    },
    inFlightByAgent: {},
    queuedByPriority: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    window: {
      seconds: 60,
      finished: { succeeded: 0, cancelled: 0, dead_lettered: 0 },
      throughputPerSecond: 0,
    },
    latencyMs: { ...percentiles },
    runTimeMs: { ...percentiles },
  };
}

/** A RegistryApi over a list; register adds (or replaces) an agent as healthy. */
export class FakeRegistry implements RegistryApi {
  readonly heartbeats: string[] = [];
  private readonly agents: Agent[];

  constructor(agents: readonly Agent[]) {
    this.agents = agents.map((agent) => AgentSchema.parse(agent));
  }

  async register(registration: AgentRegistration): Promise<Agent> {
    const agent = AgentSchema.parse({ ...registration, status: 'healthy', lastHeartbeatAgeMs: 0 });
    const index = this.agents.findIndex((candidate) => candidate.id === agent.id);
    if (index >= 0) this.agents.splice(index, 1, agent);
    else this.agents.push(agent);
    return structuredClone(agent);
  }

  async heartbeat(agentId: string): Promise<void> {
    this.find(agentId);
    this.heartbeats.push(agentId);
  }

  async deregister(agentId: string): Promise<void> {
    this.agents.splice(this.agents.indexOf(this.find(agentId)), 1);
  }

  private find(agentId: string): Agent {
    const agent = this.agents.find((candidate) => candidate.id === agentId);
    if (!agent) throw new AppError('AGENT_NOT_FOUND', `agent ${agentId} is not registered`);
    return agent;
  }

  async listAgents(): Promise<Agent[]> {
    return structuredClone(this.agents).sort((a, b) => a.id.localeCompare(b.id));
  }

  async getAgent(id: string): Promise<Agent | undefined> {
    return structuredClone(this.agents.find((agent) => agent.id === id));
  }
}

/** A ResultStoreApi whose every call fails the way a bug or a broken dependency would. */
export class ExplodingResultStore implements ResultStoreApi {
  constructor(private readonly error: Error) {}

  submit(): Promise<SubmitOutcome> {
    return Promise.reject(this.error);
  }

  submitBatch(): Promise<SubmitOutcome[]> {
    return Promise.reject(this.error);
  }

  searchSymbols(): Promise<SymbolSearchPage> {
    return Promise.reject(this.error);
  }

  getTask(): Promise<TaskView | undefined> {
    return Promise.reject(this.error);
  }

  getResult(): Promise<TaskResultView | undefined> {
    return Promise.reject(this.error);
  }

  listTasks(): Promise<TaskPage> {
    return Promise.reject(this.error);
  }

  cancel(): Promise<TaskView> {
    return Promise.reject(this.error);
  }

  redrive(): Promise<RedriveOutcome> {
    return Promise.reject(this.error);
  }

  taskEvents(): Promise<TaskStreamEvent[]> {
    return Promise.reject(this.error);
  }

  taskMetrics(): Promise<TaskMetrics> {
    return Promise.reject(this.error);
  }
}
