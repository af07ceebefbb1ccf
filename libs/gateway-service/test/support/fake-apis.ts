import {
  AgentSchema,
  AppError,
  type RedriveOutcome,
  type Agent,
  type ListTasksFilter,
  type RegistryApi,
  type ResultStoreApi,
  type SubmitOutcome,
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
  private readonly tasks = new Map<string, TaskView>();
  private readonly results = new Map<string, TaskResultView>();
  private readonly keys = new Map<string, string>();

  async submit(submission: TaskSubmission, clientId: string): Promise<SubmitOutcome> {
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
    };
    this.tasks.set(task.id, task);
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

export class FakeRegistry implements RegistryApi {
  private readonly agents: Agent[];

  constructor(agents: readonly Agent[]) {
    this.agents = agents.map((agent) => AgentSchema.parse(agent));
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
}
