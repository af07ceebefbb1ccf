import {
  AppError,
  DEFAULT_INLINE_LIMIT_BYTES,
  boundTaskChange,
  type AttemptRef,
  type ClaimOutcome,
  type ClaimRequest,
  type FailedAttempt,
  type LiveAgent,
  type QueueAgent,
  type QueueFigures,
  type RetryDecision,
  type SerializedError,
  type TaskChangedMessage,
  type TaskQueue,
  type CreateTaskItem,
  type CreateTaskOptions,
  type CreateTaskOutcome,
  type CreateTaskResult,
  type EventOutcome,
  type ListTasksFilter,
  type PayloadOwner,
  type PayloadRef,
  type StoredPayload,
  type SymbolHit,
  type SymbolSearchFilter,
  type SymbolSearchPage,
  type Task,
  type TaskEvent,
  type TaskFigures,
  type TaskPage,
  type TaskRepository,
  type TaskResultView,
  type TaskStatus,
  type TaskStreamEvent,
  type TaskView,
} from '@contextforge/contracts';
import { toJsonValue } from './domain/json';
import { compareNewestFirst, resolveListQuery, toPage } from './domain/list-query';
import { checkPayloadOwner, newStoredPayload } from './domain/payloads';
import { planEvents, type EventPlan } from './domain/plan-events';
import {
  agentRuns,
  decisionEvent,
  expiryOf,
  failureOf,
  freeSlots,
  isOrphan,
  orphanError,
  planClaim,
  releaseEvent,
  sweepFailure,
  unrunnableEvent,
  withClaim,
} from './domain/queue-plan';
import { publicView, type TaskRecord } from './domain/task-record';
import {
  compareHits,
  matchesFilters,
  nextSearchCursor,
  queryTerms,
  scoreSymbol,
  searchOffset,
  type IndexedSymbol,
} from './domain/symbol-index';
import { computeTaskFigures, zeroByStatus } from './domain/task-figures';
import {
  assertSameSubmission,
  cachedCompletion,
  creationEvent,
  errorResult,
  newTaskView,
  okResult,
  queuedStateOf,
} from './domain/task-records';

export interface MemoryTaskRepositoryOptions {
  /** Inputs and outputs larger than this stay out of outbox messages (default 64 KiB; boundTaskChange). */
  inlineLimitBytes?: number;
}

/**
 * TaskRepository in process memory, for service tests and quick local runs. Same semantics as the
 * SQL adapter (both share the planning code in ./domain and pass one contract suite); every call
 * runs synchronously between awaits, so each call is atomic. Values handed out are copies.
 *
 * Left out: durability, sharing between repository instances, and ignored events (only their ids
 * are kept, which is all de-duplication needs; the history taskEvents reads holds applied ones).
 */
export class MemoryTaskRepository implements TaskRepository, TaskQueue {
  private readonly inlineLimitBytes: number;
  private readonly payloads = new Map<string, StoredPayload>();
  private readonly tasks = new Map<string, TaskRecord>();
  /** Committed changes not yet relayed (the outbox). */
  private outbox: TaskChangedMessage[] = [];
  private relaying = false;
  /** Arrival order of the tasks (the SQL adapter's `seq` column). */
  private readonly arrival = new Map<string, number>();
  private readonly idempotencyKeys = new Map<string, string>();
  private readonly eventIds = new Set<string>();
  private readonly results = new Map<string, TaskResultView>();
  /** Applied events per task, in seq order (seq n at index n - 1). */
  private readonly history = new Map<string, TaskStreamEvent[]>();
  /** Result-cache keys by task id. */
  private readonly cacheKeys = new Map<string, string>();
  private readonly symbols: IndexedSymbol[] = [];
  private open = false;

  constructor(options: MemoryTaskRepositoryOptions = {}) {
    this.inlineLimitBytes = options.inlineLimitBytes ?? DEFAULT_INLINE_LIMIT_BYTES;
  }

  async connect(): Promise<void> {
    this.open = true;
  }

  async close(): Promise<void> {
    this.open = false;
  }

  async createTask(task: Task, options: CreateTaskOptions = {}): Promise<CreateTaskOutcome> {
    this.assertOpen();
    const keyOfTask =
      task.idempotencyKey === undefined ? undefined : idempotencyKey(task.clientId, task.idempotencyKey);
    const existingId = this.tasks.has(task.id) ? task.id : keyOfTask && this.idempotencyKeys.get(keyOfTask);
    const existing = existingId ? this.tasks.get(existingId) : undefined;
    if (existing) {
      assertSameSubmission(existing, task);
      return { task: structuredClone(existing), created: false };
    }
    const now = new Date();
    const queued = newTaskView(task, now);
    if (keyOfTask) this.idempotencyKeys.set(keyOfTask, queued.id);
    if (options.cacheKey !== undefined) this.cacheKeys.set(queued.id, options.cacheKey);
    const source =
      options.cacheKey === undefined ? undefined : this.cacheSource(task.clientId, options.cacheKey);
    if (source) {
      const hit = cachedCompletion(queued, source, now);
      this.tasks.set(hit.view.id, hit.view);
      this.eventIds.add(hit.created.event.eventId).add(hit.completion.event.eventId);
      this.history.set(hit.view.id, [hit.created, hit.completion]);
      this.results.set(hit.view.id, hit.result);
      this.outbox.push(
        structuredClone(this.bound({ ...hit.created, task: queuedStateOf(hit.view, hit.created) })),
        structuredClone(this.bound({ ...hit.completion, task: hit.view })),
      );
      return structuredClone({
        task: hit.view,
        created: true,
        event: hit.created,
        completion: hit.completion,
      });
    }
    const created: TaskStreamEvent = { seq: queued.eventSeq, event: creationEvent(queued) };
    this.tasks.set(queued.id, queued);
    this.arrival.set(queued.id, this.arrival.size);
    this.eventIds.add(created.event.eventId);
    this.history.set(queued.id, [created]);
    this.outbox.push(structuredClone(this.bound({ ...created, task: queued })));
    return { task: structuredClone(queued), created: true, event: structuredClone(created) };
  }

  async createTasks(items: readonly CreateTaskItem[]): Promise<CreateTaskResult[]> {
    const results: CreateTaskResult[] = [];
    for (const { task, options } of items) {
      results.push(await this.createTask(task, options).then(okResult, errorResult));
    }
    return results;
  }

  /** The result of the client's most recently finished succeeded task with this cache key. */
  private cacheSource(clientId: string, cacheKey: string): TaskResultView | undefined {
    let best: TaskView | undefined;
    for (const [taskId, key] of this.cacheKeys) {
      const candidate = this.tasks.get(taskId);
      if (key !== cacheKey || candidate?.clientId !== clientId || candidate.status !== 'succeeded') continue;
      if (!this.results.has(taskId)) continue;
      if (!best || (candidate.finishedAt ?? '') > (best.finishedAt ?? '')) best = candidate;
    }
    return best && this.results.get(best.id);
  }

  async getTask(id: string): Promise<TaskView | undefined> {
    this.assertOpen();
    const task = this.tasks.get(id);
    return task && structuredClone(publicView(task));
  }

  async getResult(taskId: string): Promise<TaskResultView | undefined> {
    this.assertOpen();
    const result = this.results.get(taskId);
    return result && structuredClone(result);
  }

  async listTasks(filter: ListTasksFilter): Promise<TaskPage> {
    this.assertOpen();
    const { limit, after } = resolveListQuery(filter);
    const matching = [...this.tasks.values()]
      .filter(
        (task) =>
          (filter.clientId === undefined || task.clientId === filter.clientId) &&
          (filter.status === undefined || task.status === filter.status) &&
          (filter.type === undefined || task.type === filter.type) &&
          (filter.agentId === undefined || task.agentId === filter.agentId) &&
          (filter.parentId === undefined || task.parentId === filter.parentId) &&
          (after === undefined || compareNewestFirst(task, after) > 0),
      )
      .sort(compareNewestFirst)
      .slice(0, limit + 1)
      .map(publicView);
    return structuredClone(toPage(matching, limit));
  }

  async applyEvents(events: readonly TaskEvent[]): Promise<EventOutcome[]> {
    this.assertOpen();
    return structuredClone(this.applyPlan(events, new Date()).outcomes);
  }

  /** Plans and stores a batch of events (with their outbox rows); `patch` adjusts changed records. */
  private applyPlan(
    events: readonly TaskEvent[],
    now: Date,
    patch: (record: TaskRecord) => TaskRecord = (record) => record,
  ): EventPlan {
    const plan = planEvents(events, this.tasks, this.eventIds, now, {
      resultTaskIds: new Set(this.results.keys()),
      payloads: this.payloads,
      inlineLimitBytes: this.inlineLimitBytes,
    });
    for (const task of plan.updates) this.tasks.set(task.id, structuredClone(patch(task)));
    this.outbox.push(...structuredClone(plan.changes));
    for (const record of plan.records) {
      this.eventIds.add(record.event.eventId);
      if (record.seq !== undefined) {
        const event = toJsonValue(record.event) as TaskEvent;
        this.history.get(record.event.taskId)?.push({ seq: record.seq, event });
      }
    }
    for (const result of plan.results) this.results.set(result.taskId, result);
    this.symbols.push(...structuredClone(plan.symbols));
    return plan;
  }

  async putOutputPayload(owner: PayloadOwner, output: unknown): Promise<PayloadRef> {
    this.assertOpen();
    checkPayloadOwner(this.tasks.get(owner.taskId), owner);
    const payload = newStoredPayload(owner, output, new Date());
    this.payloads.set(payload.id, payload);
    return { id: payload.id, bytes: payload.bytes };
  }

  async getPayload(id: string): Promise<StoredPayload | undefined> {
    this.assertOpen();
    const payload = this.payloads.get(id);
    return payload && structuredClone(payload);
  }

  private bound(change: TaskChangedMessage): TaskChangedMessage {
    return boundTaskChange(change, this.inlineLimitBytes);
  }

  async claim(request: ClaimRequest): Promise<ClaimOutcome> {
    this.assertOpen();
    const now = new Date();
    const inFlight = new Map<string, number>();
    let nextRetry: number | undefined;
    const ready: TaskRecord[] = [];
    for (const task of this.tasks.values()) {
      if ((task.status === 'dispatched' || task.status === 'running') && task.agentId !== undefined) {
        inFlight.set(task.agentId, (inFlight.get(task.agentId) ?? 0) + 1);
      }
      if (task.status !== 'queued') continue;
      const notBefore = task.notBefore === undefined ? undefined : Date.parse(task.notBefore);
      if (notBefore !== undefined && notBefore > now.getTime()) {
        nextRetry = Math.min(nextRetry ?? notBefore, notBefore);
        continue;
      }
      ready.push(task);
    }
    ready.sort(
      (a, b) =>
        b.priority - a.priority ||
        a.createdAt.localeCompare(b.createdAt) ||
        (this.arrival.get(a.id) ?? 0) - (this.arrival.get(b.id) ?? 0),
    );
    const limit = Math.min(request.limit, freeSlots(request, inFlight));
    const planned = limit > 0 ? planClaim(ready, { ...request, limit }, inFlight, now) : [];
    const plan = this.applyPlan(
      planned.map((claim) => claim.event),
      now,
      (record) => withClaim(record, request, now),
    );
    const claimed = planned.flatMap((claim, index) => {
      const task = plan.outcomes[index]?.task;
      return task ? [{ task, agentId: claim.agentId, attempt: task.attempt, token: claim.token }] : [];
    });
    return structuredClone({
      claimed,
      ...(nextRetry === undefined ? {} : { nextRetryAt: new Date(nextRetry) }),
    });
  }

  async release(taskId: string, attempt: number, token: string, reason: string): Promise<boolean> {
    this.assertOpen();
    const now = new Date();
    const [outcome] = this.applyPlan([releaseEvent(taskId, attempt, token, reason, now)], now).outcomes;
    return outcome?.outcome === 'applied';
  }

  async confirmDispatched(attempts: readonly AttemptRef[]): Promise<number> {
    this.assertOpen();
    let confirmed = 0;
    for (const { taskId, attempt, token } of attempts) {
      const task = this.tasks.get(taskId);
      if (task?.status !== 'dispatched' || task.attempt !== attempt || task.claimToken !== token) continue;
      if (task.leaseExpiresAt === undefined) continue;
      const { leaseExpiresAt: _lease, ...rest } = task;
      this.tasks.set(taskId, rest);
      confirmed += 1;
    }
    return confirmed;
  }

  async expire(limit: number): Promise<FailedAttempt[]> {
    this.assertOpen();
    const now = new Date();
    return this.failOpen(
      [...this.tasks.values()].flatMap((task) => {
        const error = expiryOf(task, now);
        return error ? [{ task, error }] : [];
      }),
      limit,
      now,
    );
  }

  async failAttemptsOn(agentIds: readonly string[], error: SerializedError): Promise<FailedAttempt[]> {
    this.assertOpen();
    const gone = new Set(agentIds);
    return this.failOpen(
      [...this.tasks.values()].flatMap((task) =>
        isOpen(task) && task.agentId !== undefined && gone.has(task.agentId) ? [{ task, error }] : [],
      ),
      Infinity,
      new Date(),
    );
  }

  async failOrphans(live: readonly LiveAgent[], olderThanMs: number): Promise<FailedAttempt[]> {
    this.assertOpen();
    const now = new Date();
    const before = now.getTime() - olderThanMs;
    return this.failOpen(
      [...this.tasks.values()].flatMap((task) =>
        isOpen(task) && Date.parse(task.updatedAt) <= before && isOrphan(task, live)
          ? [{ task, error: orphanError(task) }]
          : [],
      ),
      Infinity,
      now,
    );
  }

  async settleFailures(
    decide: (task: TaskView, error: SerializedError) => RetryDecision,
    limit: number,
  ): Promise<TaskView[]> {
    this.assertOpen();
    const now = new Date();
    const failed = [...this.tasks.values()].filter((task) => task.status === 'failed').slice(0, limit);
    const events = failed.map((task) => decisionEvent(task, decide(publicView(task), failureOf(task)), now));
    return structuredClone(
      this.applyPlan(events, now).outcomes.flatMap((outcome) => (outcome.task ? [outcome.task] : [])),
    );
  }

  async markUnrunnable(
    agents: ReadonlyArray<Pick<QueueAgent, 'taskTypes' | 'capabilities'>>,
    limit: number,
  ): Promise<TaskView[]> {
    this.assertOpen();
    const now = new Date();
    const waiting = [...this.tasks.values()]
      .filter(
        (task) =>
          task.status === 'queued' &&
          task.statusReason === undefined &&
          !agents.some((agent) => agentRuns(agent, task)),
      )
      .slice(0, limit);
    const plan = this.applyPlan(
      waiting.map((task) => unrunnableEvent(task, now)),
      now,
    );
    return structuredClone(plan.outcomes.flatMap((outcome) => (outcome.task ? [outcome.task] : [])));
  }

  async queueFigures(): Promise<QueueFigures> {
    this.assertOpen();
    const figures = computeTaskFigures(this.tasks.values(), this.results, new Date());
    return { queuedByPriority: figures.queuedByPriority, inFlightByAgent: figures.inFlightByAgent };
  }

  async relayOutbox(
    publish: (changes: TaskChangedMessage[]) => Promise<void>,
    limit: number,
  ): Promise<number> {
    this.assertOpen();
    if (this.relaying) return -1;
    this.relaying = true;
    try {
      const batch = this.outbox.slice(0, limit);
      if (batch.length === 0) return 0;
      await publish(structuredClone(batch));
      this.outbox = this.outbox.slice(batch.length);
      return batch.length;
    } finally {
      this.relaying = false;
    }
  }

  private failOpen(
    found: ReadonlyArray<{ task: TaskRecord; error: SerializedError }>,
    limit: number,
    now: Date,
  ): FailedAttempt[] {
    const chosen = found.slice(0, limit);
    const plan = this.applyPlan(
      chosen.map(({ task, error }) => sweepFailure(task, error, now)),
      now,
    );
    return structuredClone(
      chosen.flatMap(({ task }, index) => {
        const after = plan.outcomes[index]?.task;
        return after
          ? [{ task: after, attempt: task.attempt, ...(task.agentId ? { agentId: task.agentId } : {}) }]
          : [];
      }),
    );
  }

  async searchSymbols(filter: SymbolSearchFilter): Promise<SymbolSearchPage> {
    this.assertOpen();
    const terms = queryTerms(filter.text);
    const offset = searchOffset(filter);
    const hits: Array<SymbolHit & { ordinal: number }> = [];
    for (const entry of this.symbols) {
      if (filter.clientId !== undefined && entry.clientId !== filter.clientId) continue;
      if (!matchesFilters(entry.symbol, filter)) continue;
      const score = scoreSymbol(entry, terms, filter.text);
      if (score === undefined) continue;
      hits.push({ symbol: entry.symbol, taskId: entry.taskId, score, ordinal: entry.ordinal });
    }
    hits.sort(compareHits);
    const page = hits.slice(offset, offset + filter.limit);
    const results = page.map(({ symbol, taskId, score }) => ({ symbol, taskId, score }));
    const nextCursor =
      hits.length > offset + filter.limit ? nextSearchCursor(offset, results.length) : undefined;
    return structuredClone(nextCursor === undefined ? { results } : { results, nextCursor });
  }

  async countByStatus(): Promise<Record<TaskStatus, number>> {
    this.assertOpen();
    const counts = zeroByStatus();
    for (const task of this.tasks.values()) counts[task.status] += 1;
    return counts;
  }

  async taskEvents(taskId: string, afterSeq: number, limit: number): Promise<TaskStreamEvent[]> {
    this.assertOpen();
    const events = this.history.get(taskId) ?? [];
    return structuredClone(events.slice(Math.max(0, afterSeq), Math.max(0, afterSeq) + limit));
  }

  async taskFigures(since: Date): Promise<TaskFigures> {
    this.assertOpen();
    return computeTaskFigures(this.tasks.values(), this.results, since);
  }

  private assertOpen(): void {
    if (!this.open) throw new AppError('SERVICE_UNAVAILABLE', 'the task repository is not connected');
  }
}

function isOpen(task: TaskView): boolean {
  return task.status === 'dispatched' || task.status === 'running';
}

function idempotencyKey(clientId: string, key: string): string {
  return JSON.stringify([clientId, key]);
}
