import {
  AppError,
  applyTaskEvent,
  repoChunkOutputOf,
  type ListTasksFilter,
  type SubmitOutcome,
  type TaskEvent,
  type TaskPage,
  type TaskResultView,
  type TaskSubmission,
  type TaskView,
  type TopicNames,
} from '@contextforge/contracts';
import type { MemoryMessageBus } from '@contextforge/messaging';
import { randomUUID } from 'node:crypto';
import type { JobStore } from '../../src/jobs/job-coordinator';

/**
 * A small in-memory result-store for the JobCoordinator tests: it applies the task state machine
 * and announces every change (the creation included) on the task-changes topic like the
 * result-store's outbox; `put` and `apply(..., { silently: true })` change it without a word.
 */
export class FakeStore implements JobStore {
  readonly tasks = new Map<string, TaskView>();
  readonly results = new Map<string, TaskResultView>();
  /** getTask calls (a job adopted again reads its parent). */
  reads = 0;
  /** listTasks calls. */
  readonly listed: ListTasksFilter[] = [];
  private seq = new Map<string, number>();

  constructor(
    private readonly bus: MemoryMessageBus,
    private readonly topics: TopicNames,
  ) {}

  async submit(submission: TaskSubmission, clientId: string, options: { parentId?: string } = {}) {
    const existing = [...this.tasks.values()].find(
      (task) => task.clientId === clientId && task.idempotencyKey === submission.idempotencyKey,
    );
    if (existing) return { task: existing, created: false } satisfies SubmitOutcome;
    const now = new Date().toISOString();
    const task: TaskView = {
      id: randomUUID(),
      clientId,
      ...submission,
      ...(options.parentId ? { parentId: options.parentId } : {}),
      createdAt: now,
      status: 'queued',
      attempt: 0,
      updatedAt: now,
      eventSeq: 1,
    };
    this.tasks.set(task.id, task);
    this.seq.set(task.id, 1);
    const created = { seq: 1, event: { ...base(task.id, 0), type: 'queued' as const }, task };
    await this.bus.publish(this.topics.taskChanges, [{ key: task.id, value: created }]);
    await this.bus.publish(this.topics.tasksSubmitted, [{ key: task.id, value: { task } }]);
    return { task, created: true };
  }

  /** Stores a task as it is, announcing nothing (what a restarted process finds in its database). */
  put(task: TaskView): TaskView {
    this.tasks.set(task.id, task);
    this.seq.set(task.id, task.eventSeq);
    return task;
  }

  async getTask(id: string) {
    this.reads += 1;
    return this.tasks.get(id);
  }

  async getResult(id: string) {
    return this.results.get(id);
  }

  /** Filters like the store; the cursor is the offset of the next page. */
  async listTasks(filter: ListTasksFilter): Promise<TaskPage> {
    this.listed.push(filter);
    const matching = [...this.tasks.values()].filter(
      (task) =>
        task.parentId === filter.parentId &&
        (filter.type === undefined || task.type === filter.type) &&
        (filter.status === undefined || task.status === filter.status),
    );
    const from = Number(filter.cursor ?? 0);
    const limit = filter.limit ?? 50;
    const tasks = matching.slice(from, from + limit);
    return from + limit < matching.length ? { tasks, nextCursor: String(from + limit) } : { tasks };
  }

  async cancel(taskId: string, reason: string) {
    const task = this.tasks.get(taskId);
    if (!task) throw new AppError('TASK_NOT_FOUND', taskId);
    const applied = await this.apply({ ...base(taskId, task.attempt), type: 'cancelled', reason });
    if (!applied) throw new AppError('TASK_ALREADY_FINAL', taskId);
    return applied;
  }

  async redrive() {
    return { redriven: [], skipped: [] };
  }

  /** Applies an event through the state machine and announces the change (unless `silently`). */
  async apply(event: TaskEvent, { silently = false } = {}): Promise<TaskView | undefined> {
    const task = this.tasks.get(event.taskId);
    if (!task) return undefined;
    const outcome = applyTaskEvent(task, event);
    if (outcome.kind !== 'applied') return undefined;
    const seq = (this.seq.get(task.id) ?? 0) + 1;
    this.seq.set(task.id, seq);
    const next: TaskView = { ...task, ...outcome.next, eventSeq: seq, updatedAt: event.at };
    for (const key of ['statusReason', 'lastError', 'agentId'] as const) {
      if (outcome.next[key] === undefined) delete next[key];
    }
    this.tasks.set(task.id, next);
    if (event.type === 'succeeded' && !this.results.has(task.id)) {
      this.results.set(task.id, {
        taskId: task.id,
        attempt: event.attempt,
        agentId: event.agentId,
        output: event.output,
        durationMs: event.durationMs,
        createdAt: event.at,
      });
    }
    if (!silently) {
      await this.bus.publish(this.topics.taskChanges, [{ key: task.id, value: { seq, event, task: next } }]);
    }
    return next;
  }
}

export function base(taskId: string, attempt: number) {
  return { eventId: randomUUID(), taskId, attempt, at: new Date().toISOString() };
}

export const FILES = ['a.ts', 'b.ts', 'c.ts', 'poison.ts', 'd.ts', 'e.ts'];

/** What a chunk over these files returns. */
export function chunkOutput(files: readonly string[]) {
  return repoChunkOutputOf({
    files: files.map((path) => ({
      path,
      language: 'typescript',
      parsed: true,
      bytes: 10,
      lines: { code: 1, comment: 0, blank: 0, total: 1 },
      units: [],
      imports: [],
    })),
    findings: [],
    symbols: [],
    errors: [],
  });
}

/** A `repo-analysis` parent as the store would hold it. */
export function jobView(overrides: Partial<TaskView> = {}): TaskView {
  const now = new Date().toISOString();
  return {
    id: randomUUID(),
    clientId: 'client-a',
    type: 'repo-analysis',
    input: { root: '/repo', chunkBytes: 20 },
    priority: 5,
    requiredCapabilities: [],
    timeoutMs: 60_000,
    maxAttempts: 1,
    createdAt: now,
    status: 'queued',
    attempt: 0,
    updatedAt: now,
    eventSeq: 1,
    ...overrides,
  };
}
