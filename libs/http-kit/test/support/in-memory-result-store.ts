import {
  AppError,
  type BatchSubmitItem,
  type ListTasksFilter,
  type RedriveOutcome,
  type ResultStoreApi,
  type SubmitOptions,
  type SubmitOutcome,
  type SymbolSearchFilter,
  type SymbolSearchPage,
  type TaskEvent,
  type TaskMetrics,
  type TaskPage,
  type TaskResultView,
  type TaskStreamEvent,
  type TaskSubmission,
  type TaskView,
} from '@contextforge/contracts';
import { randomUUID } from 'node:crypto';

/**
 * A ResultStoreApi kept in maps, for testing the HTTP router and client around it (persistence's
 * MemoryTaskRepository is out of reach: http-kit may not depend on another adapter). Idempotent
 * per (client, idempotencyKey) with IDEMPOTENCY_CONFLICT on a different body, pages by offset;
 * numbers each task's events (creation 1, then cancel, re-drive, complete) for taskEvents.
 */
export class InMemoryResultStore implements ResultStoreApi {
  private readonly tasks: TaskView[] = [];
  private readonly results = new Map<string, TaskResultView>();
  private readonly history = new Map<string, TaskStreamEvent[]>();
  /** The filters listTasks was called with, as the router passed them. */
  readonly filters: ListTasksFilter[] = [];
  /** The arguments taskEvents was called with, as the router passed them. */
  readonly eventQueries: Array<[taskId: string, afterSeq: number, limit: number | undefined]> = [];
  /** What taskMetrics answers. */
  metrics: TaskMetrics = {
    at: '2030-01-01T00:00:00.000Z',
    byStatus: {
      queued: 1,
      dispatched: 0,
      running: 2,
      failed: 0,
      succeeded: 3,
      cancelled: 0,
      dead_lettered: 0,
    },
    inFlightByAgent: { 'agent-a': 2 },
    queuedByPriority: [0, 0, 0, 0, 0, 1, 0, 0, 0, 0],
    window: {
      seconds: 60,
      finished: { succeeded: 3, cancelled: 0, dead_lettered: 0 },
      throughputPerSecond: 0.05,
    },
    latencyMs: { count: 3, p50: 120, p95: 190.5, p99: 199.1, max: 201 },
    runTimeMs: { count: 3, p50: null, p95: null, p99: null, max: null },
  };
  /** The options of every submit, as the router passed them. */
  readonly submitOptions: Array<SubmitOptions | undefined> = [];
  /** The filters searchSymbols was called with, and what it answers. */
  readonly searches: SymbolSearchFilter[] = [];
  searchAnswer: SymbolSearchPage = { results: [] };
  /** Thrown by the next call while set (an unexpected failure of the store). */
  failWith: unknown;

  async submitBatch(items: readonly BatchSubmitItem[], clientId: string): Promise<SubmitOutcome[]> {
    const outcomes: SubmitOutcome[] = [];
    for (const item of items) outcomes.push(await this.submit(item.submission, clientId, item.options));
    return outcomes;
  }

  async searchSymbols(filter: SymbolSearchFilter): Promise<SymbolSearchPage> {
    this.maybeFail();
    this.searches.push(filter);
    return structuredClone(this.searchAnswer);
  }

  async submit(
    submission: TaskSubmission,
    clientId: string,
    options?: SubmitOptions,
  ): Promise<SubmitOutcome> {
    this.maybeFail();
    this.submitOptions.push(options);
    const { idempotencyKey } = submission;
    const existing = idempotencyKey
      ? this.tasks.find((task) => task.clientId === clientId && task.idempotencyKey === idempotencyKey)
      : undefined;
    if (existing) {
      if (
        existing.type !== submission.type ||
        JSON.stringify(existing.input) !== JSON.stringify(submission.input)
      ) {
        throw new AppError(
          'IDEMPOTENCY_CONFLICT',
          `idempotency key ${idempotencyKey} was used for another task`,
        );
      }
      return { task: existing, created: false };
    }
    const now = new Date().toISOString();
    const task: TaskView = {
      ...submission,
      id: randomUUID(),
      clientId,
      status: 'queued',
      attempt: 0,
      createdAt: now,
      updatedAt: now,
      eventSeq: 0,
    };
    this.tasks.push(task);
    this.record(task, { type: 'queued', eventId: randomUUID(), taskId: task.id, attempt: 0, at: now });
    return { task, created: true };
  }

  async getTask(id: string): Promise<TaskView | undefined> {
    this.maybeFail();
    return this.tasks.find((task) => task.id === id);
  }

  async getResult(taskId: string): Promise<TaskResultView | undefined> {
    this.maybeFail();
    return this.results.get(taskId);
  }

  async listTasks(filter: ListTasksFilter): Promise<TaskPage> {
    this.maybeFail();
    this.filters.push(filter);
    const matching = this.tasks.filter(
      (task) =>
        (filter.clientId === undefined || task.clientId === filter.clientId) &&
        (filter.status === undefined || task.status === filter.status) &&
        (filter.type === undefined || task.type === filter.type),
    );
    const start = filter.cursor === undefined ? 0 : Number(filter.cursor);
    const end = start + (filter.limit ?? 50);
    return {
      tasks: matching.slice(start, end),
      ...(end < matching.length ? { nextCursor: String(end) } : {}),
    };
  }

  async cancel(taskId: string, reason: string): Promise<TaskView> {
    this.maybeFail();
    const task = this.tasks.find((candidate) => candidate.id === taskId);
    if (!task) throw new AppError('TASK_NOT_FOUND', `no task ${taskId}`);
    if (['succeeded', 'cancelled', 'dead_lettered'].includes(task.status)) {
      throw new AppError('TASK_ALREADY_FINAL', `task ${taskId} is already ${task.status}`);
    }
    Object.assign(task, { status: 'cancelled', statusReason: reason });
    this.record(task, { ...eventBase(task), type: 'cancelled', reason });
    return task;
  }

  async redrive(taskIds: readonly string[]): Promise<RedriveOutcome> {
    this.maybeFail();
    const outcome: RedriveOutcome = { redriven: [], skipped: [] };
    for (const taskId of taskIds) {
      const task = this.tasks.find((candidate) => candidate.id === taskId);
      if (task?.status !== 'dead_lettered') {
        outcome.skipped.push({
          taskId,
          code: task ? 'TASK_NOT_DEAD_LETTERED' : 'TASK_NOT_FOUND',
          message: 'skipped',
        });
        continue;
      }
      Object.assign(task, { status: 'queued', attempt: task.attempt + 1 });
      this.record(task, { ...eventBase(task), type: 'queued', reason: 're-driven' });
      outcome.redriven.push(task);
    }
    return outcome;
  }

  async taskEvents(taskId: string, afterSeq: number, limit?: number): Promise<TaskStreamEvent[]> {
    this.maybeFail();
    this.eventQueries.push([taskId, afterSeq, limit]);
    const events = this.history.get(taskId) ?? [];
    return events.filter((entry) => entry.seq > afterSeq).slice(0, Math.min(limit ?? 1000, 1000));
  }

  async taskMetrics(): Promise<TaskMetrics> {
    this.maybeFail();
    return this.metrics;
  }

  /** Marks a task succeeded with `output` (what the result-store does on a succeeded event). */
  complete(taskId: string, output: unknown): TaskResultView {
    const task = this.tasks.find((candidate) => candidate.id === taskId);
    if (!task) throw new Error(`no task ${taskId}`);
    task.status = 'succeeded';
    task.attempt = 1;
    this.record(task, { ...eventBase(task), type: 'succeeded', agentId: 'agent-a', output, durationMs: 12 });
    const result: TaskResultView = {
      taskId,
      attempt: 1,
      agentId: 'agent-a',
      output,
      durationMs: 12,
      createdAt: new Date().toISOString(),
    };
    this.results.set(taskId, result);
    return result;
  }

  private record(task: TaskView, event: TaskEvent): void {
    task.eventSeq += 1;
    const events = this.history.get(task.id) ?? [];
    events.push({ seq: task.eventSeq, event });
    this.history.set(task.id, events);
  }

  private maybeFail(): void {
    if (this.failWith === undefined) return;
    const error = this.failWith;
    this.failWith = undefined;
    throw error;
  }
}

function eventBase(task: TaskView) {
  return { eventId: randomUUID(), taskId: task.id, attempt: task.attempt, at: new Date().toISOString() };
}
