import { GroupCommit } from './group-commit';
import {
  AppError,
  isFinalStatus,
  type RedriveOutcome,
  CONSUMER_GROUPS,
  TaskEventSchema,
  parseOrThrow,
  type BusMessage,
  type BatchSubmitItem,
  type ListTasksFilter,
  type MessageBus,
  type PayloadStore,
  type ResultStoreApi,
  type SubmitOptions,
  type SubmitOutcome,
  type Subscription,
  type SymbolSearchFilter,
  type SymbolSearchPage,
  type Task,
  type TaskEvent,
  type TaskPage,
  type TaskRepository,
  type EventOutcome,
  type TaskMetrics,
  type TaskResultView,
  type TaskStreamEvent,
  type TaskSubmission,
  type TaskView,
  type TopicNames,
} from '@contextforge/contracts';
import {
  isTracing,
  startSpanFrom,
  traceparentOf,
  withSpan,
  type Logger,
  type MetricsRegistry,
  type SpanHandle,
} from '@contextforge/observability';
import { randomUUID } from 'node:crypto';

export interface ResultStoreOptions {
  repository: TaskRepository;
  bus: MessageBus;
  topics: TopicNames;
  logger: Logger;
  /** Called after each applied batch with the tasks it changed (used by streams and metrics). */
  onTasksChanged?: (tasks: readonly TaskView[]) => void;
  /**
   * Called after every write that committed changes (to the outbox): the process's outbox relay
   * publishes them on the task-changes topic.
   */
  onCommitted?: () => void;
  /**
   * Partitions of the task-events topic this member handles at once (default 1): the
   * coordinator.queue.partitions of the cluster, so that every partition it owns is read while
   * another's batch is written; the batches meanwhile share one transaction (GroupCommit).
   */
  eventPartitions?: number;
  /** The trailing window of taskMetrics (default 60 s). */
  metricsWindowSeconds?: number;
  /** The clock of taskMetrics (tests). */
  now?: () => Date;
  /**
   * Prometheus metrics, counted from what is committed (so once per task or event, whichever
   * replica applies it): submissions, final statuses with the submit-to-final duration, failed
   * attempts by error code, and the agents' run time of succeeded attempts.
   */
  metrics?: MetricsRegistry;
}

/** Default and largest page of taskEvents. */
export const MAX_TASK_EVENTS_PAGE = 1000;

/**
 * The result-store: the system of record for tasks. A submission is stored as queued before it is
 * announced on the bus, so a task that was answered 202 can always be read. Task events from the
 * bus are validated one by one (an invalid one is dead-lettered by the bus) and applied in
 * batches through the repository's state machine.
 *
 * Every event it applies (creation, bus batches, its own cancel and re-drive events) is written
 * to the outbox in the transaction that applies it, as a TaskChangedMessage {seq, event, task};
 * the process's OutboxRelay publishes it on the task-changes topic, keyed by task id, at least
 * once and in commit order. The scheduler replicas learn of new, cancelled, re-driven and finished
 * tasks from there; nothing is published beside the commit, so nothing can be lost between them.
 */
export class ResultStore implements ResultStoreApi {
  private readonly commits = new GroupCommit<TaskEvent, EventOutcome>((events) =>
    this.options.repository.applyEvents(events),
  );
  /**
   * The payload store agents upload large outputs to (payloads by reference): in-process in the
   * embedded mode, behind payloadRouter (libs/http-kit) in the cluster. Fenced by the repository.
   */
  readonly payloads: PayloadStore;
  private subscription: Subscription | undefined;

  constructor(private readonly options: ResultStoreOptions) {
    const { repository } = options;
    this.payloads = {
      put: (owner, content) => repository.putOutputPayload(owner, content),
      get: (id) => repository.getPayload(id),
    };
  }

  async start(): Promise<void> {
    this.subscription = await this.options.bus.subscribe({
      topic: this.options.topics.taskEvents,
      group: CONSUMER_GROUPS.resultStore,
      maxBatchSize: 500,
      // Its partitions side by side, their batches sharing transactions (GroupCommit).
      concurrency: this.options.eventPartitions ?? 1,
      handler: (messages) => this.applyMessages(messages),
    });
  }

  async stop(): Promise<void> {
    await this.subscription?.close();
  }

  async submit(
    submission: TaskSubmission,
    clientId: string,
    options: SubmitOptions = {},
  ): Promise<SubmitOutcome> {
    const [outcome] = await withSpan('result-store create-tasks', { 'contextforge.tasks': 1 }, () =>
      this.submitAll([{ submission, options }], clientId),
    );
    if (!outcome) throw new AppError('INTERNAL', 'submit stored no task');
    return outcome;
  }

  submitBatch(items: readonly BatchSubmitItem[], clientId: string): Promise<SubmitOutcome[]> {
    return withSpan('result-store create-tasks', { 'contextforge.tasks': items.length }, () =>
      this.submitAll(items, clientId),
    );
  }

  searchSymbols(filter: SymbolSearchFilter): Promise<SymbolSearchPage> {
    return this.options.repository.searchSymbols(filter);
  }

  /**
   * Stores the tasks (one statement for the plain ones, see TaskRepository.createTasks), then
   * announces them together: one publish of their changes and one of the queued ones on
   * tasks.submitted. A result-cache hit (options.cacheKey) is stored already succeeded: its
   * `queued` and `succeeded` events are announced as changes like those of a task that ran, and it
   * never reaches the scheduler. When an item fails (an idempotency conflict), every task that was
   * stored is still announced, then the first item's error propagates; the submitter's retry with
   * the same idempotency keys replays the stored ones.
   */
  private async submitAll(items: readonly BatchSubmitItem[], clientId: string): Promise<SubmitOutcome[]> {
    const outcomes: SubmitOutcome[] = [];
    // Stored with each task: whoever takes the task over later (a new scheduler leader, a re-drive)
    // continues the submission's trace.
    const traceparent = traceparentOf();
    try {
      const createItems = [];
      for (const { submission, options = {} } of items) {
        if (options.parentId !== undefined) await this.checkParent(options.parentId, clientId);
        const task: Task = {
          id: randomUUID(),
          clientId,
          type: submission.type,
          input: submission.input,
          priority: submission.priority,
          requiredCapabilities: submission.requiredCapabilities,
          timeoutMs: submission.timeoutMs,
          maxAttempts: submission.maxAttempts,
          ...(submission.idempotencyKey ? { idempotencyKey: submission.idempotencyKey } : {}),
          ...(options.parentId === undefined ? {} : { parentId: options.parentId }),
          createdAt: new Date().toISOString(),
          ...(traceparent === undefined ? {} : { traceparent }),
        };
        createItems.push({
          task,
          ...(options.cacheKey === undefined ? {} : { options: { cacheKey: options.cacheKey } }),
        });
      }
      const results = await this.options.repository.createTasks(createItems);
      let failure: { error: unknown } | undefined;
      for (const result of results) {
        if (!result.ok) {
          failure ??= { error: result.error };
          continue;
        }
        const outcome = result.outcome;
        outcomes.push({ task: outcome.task, created: outcome.created });
        if (outcome.created) this.recordCreated(outcome.task);
      }
      if (failure) throw failure.error;
    } finally {
      this.options.onCommitted?.();
      const hits = outcomes.filter((outcome) => outcome.created && outcome.task.fromCache === true);
      if (hits.length > 0) this.options.onTasksChanged?.(hits.map((outcome) => outcome.task));
    }
    return outcomes;
  }

  getTask(id: string): Promise<TaskView | undefined> {
    return this.options.repository.getTask(id);
  }

  getResult(taskId: string): Promise<TaskResultView | undefined> {
    return this.options.repository.getResult(taskId);
  }

  listTasks(filter: ListTasksFilter): Promise<TaskPage> {
    return this.options.repository.listTasks(filter);
  }

  async taskEvents(
    taskId: string,
    afterSeq: number,
    limit: number = MAX_TASK_EVENTS_PAGE,
  ): Promise<TaskStreamEvent[]> {
    if (!Number.isSafeInteger(afterSeq) || afterSeq < 0) {
      throw invalidArgument('afterSeq', 'must be an integer of at least 0');
    }
    if (!Number.isSafeInteger(limit) || limit < 1) {
      throw invalidArgument('limit', 'must be an integer of at least 1');
    }
    return this.options.repository.taskEvents(taskId, afterSeq, Math.min(limit, MAX_TASK_EVENTS_PAGE));
  }

  async taskMetrics(): Promise<TaskMetrics> {
    const at = this.options.now?.() ?? new Date();
    const seconds = this.options.metricsWindowSeconds ?? 60;
    const figures = await this.options.repository.taskFigures(new Date(at.getTime() - seconds * 1000));
    const finishedTotal =
      figures.finished.succeeded + figures.finished.cancelled + figures.finished.dead_lettered;
    return {
      at: at.toISOString(),
      byStatus: figures.byStatus,
      inFlightByAgent: figures.inFlightByAgent,
      queuedByPriority: figures.queuedByPriority,
      window: { seconds, finished: figures.finished, throughputPerSecond: finishedTotal / seconds },
      latencyMs: figures.latencyMs,
      runTimeMs: figures.runTimeMs,
    };
  }

  /**
   * Cancels the task's current attempt. A claim may start a new attempt between the read and the
   * write (the cancellation of the old one is then stale): it reads again and cancels that one.
   */
  async cancel(taskId: string, reason: string): Promise<TaskView> {
    // Ends: a platform cancellation applies to every non-final status of the current attempt,
    // and only a claim of a queued task starts a new one.
    for (;;) {
      const task = await this.requireTask(taskId);
      if (isFinalStatus(task.status)) throw alreadyFinal(task);
      const event: TaskEvent = { ...eventBase(taskId, task.attempt), type: 'cancelled', reason };
      const cancelled = await this.applyOwnEvent(event);
      if (cancelled) return cancelled;
    }
  }

  async redrive(taskIds: readonly string[]): Promise<RedriveOutcome> {
    const outcome: RedriveOutcome = { redriven: [], skipped: [] };
    for (const taskId of new Set(taskIds)) {
      const task = await this.options.repository.getTask(taskId);
      if (!task || task.status !== 'dead_lettered') {
        const code = task ? 'TASK_NOT_DEAD_LETTERED' : 'TASK_NOT_FOUND';
        outcome.skipped.push({ taskId, code, message: task ? `task is ${task.status}` : 'no such task' });
        continue;
      }
      const attempt = task.attempt + 1;
      const requeued = await this.applyOwnEvent({
        ...eventBase(taskId, attempt),
        type: 'queued',
        reason: 're-driven',
      });
      if (!requeued) {
        outcome.skipped.push({ taskId, code: 'TASK_NOT_DEAD_LETTERED', message: 'changed while re-driving' });
        continue;
      }
      outcome.redriven.push(requeued);
    }
    return outcome;
  }

  /** A child belongs to its job's client: an unknown parent or another client's is refused. */
  private async checkParent(parentId: string, clientId: string): Promise<void> {
    const parent = await this.options.repository.getTask(parentId);
    if (!parent || parent.clientId !== clientId) {
      throw new AppError('VALIDATION_FAILED', `parentId: no task ${parentId} of client ${clientId}`, {
        details: { issues: [{ path: 'parentId', message: 'must be a task of the same client' }] },
      });
    }
  }

  private async requireTask(taskId: string): Promise<TaskView> {
    const task = await this.options.repository.getTask(taskId);
    if (!task) throw new AppError('TASK_NOT_FOUND', `no task ${taskId}`);
    return task;
  }

  /**
   * Applies an event the result-store itself decides (cancel, re-drive), so the answer to the
   * client is definite; the scheduler replicas hear of it through the outbox (task-changes).
   * Resolves with the task, or undefined if not applied.
   */
  private async applyOwnEvent(event: TaskEvent): Promise<TaskView | undefined> {
    const [outcome] = await this.options.repository.applyEvents([event]);
    if (outcome?.outcome !== 'applied' || !outcome.task) return undefined;
    this.options.onCommitted?.();
    this.recordApplied(event, outcome.task);
    this.options.onTasksChanged?.([outcome.task]);
    return outcome.task;
  }

  private async applyMessages(messages: readonly BusMessage[]): Promise<void> {
    const events: TaskEvent[] = messages.map((message) =>
      parseOrThrow(TaskEventSchema, message.value, 'task event', 'INVALID_MESSAGE'),
    );
    const spans = isTracing() ? applySpans(messages, events) : undefined;
    let outcomes: EventOutcome[];
    try {
      outcomes = await this.commits.run(events);
    } catch (error) {
      for (const span of spans ?? []) span?.end(error);
      throw error;
    }
    for (const [index, span] of (spans ?? []).entries()) {
      span?.setAttributes({ 'contextforge.outcome': outcomes[index]?.outcome });
      span?.end();
    }
    this.options.onCommitted?.();
    const changed: TaskView[] = [];
    for (const [index, outcome] of outcomes.entries()) {
      const event = events[index];
      if (outcome.outcome === 'applied' && outcome.task && event) this.recordApplied(event, outcome.task);
      if (outcome.task) changed.push(outcome.task);
      if (outcome.outcome === 'ignored') {
        this.options.logger.debug(
          { taskId: outcome.taskId, reason: outcome.reason },
          'event recorded, not applied',
        );
      }
    }
    if (changed.length > 0) this.options.onTasksChanged?.(changed);
  }

  private recordCreated(task: TaskView): void {
    const metrics = this.options.metrics;
    if (!metrics) return;
    metrics.tasksSubmitted.inc({ type: task.type });
    // A result-cache hit is created final: it finishes with its submission.
    if (task.status === 'succeeded') this.recordFinal(task);
  }

  private recordApplied(event: TaskEvent, task: TaskView): void {
    const metrics = this.options.metrics;
    if (!metrics) return;
    if (event.type === 'failed') metrics.taskFailures.inc({ type: task.type, code: event.error.code });
    if (event.type === 'succeeded') metrics.taskRunTime.observe({ type: task.type }, event.durationMs / 1000);
    if (isFinalStatus(task.status) && event.type === task.status) this.recordFinal(task);
  }

  private recordFinal(task: TaskView): void {
    const metrics = this.options.metrics;
    if (!metrics) return;
    metrics.tasksFinished.inc({ type: task.type, status: task.status });
    const seconds = (Date.parse(task.finishedAt ?? task.updatedAt) - Date.parse(task.createdAt)) / 1000;
    if (Number.isFinite(seconds)) metrics.taskDuration.observe({ type: task.type }, Math.max(0, seconds));
  }
}

/**
 * One span per event that arrived with a trace context, a child of the span that published it (the
 * agent's execute, the scheduler's dispatch), covering the batch's write.
 */
function applySpans(
  messages: readonly BusMessage[],
  events: readonly TaskEvent[],
): Array<SpanHandle | undefined> {
  return events.map((event, index) => {
    const traceparent = messages[index]?.headers['traceparent'];
    if (traceparent === undefined) return undefined;
    return startSpanFrom(traceparent, 'result-store apply', {
      kind: 'consumer',
      attributes: {
        'contextforge.task_id': event.taskId,
        'contextforge.attempt': event.attempt,
        'contextforge.event': event.type,
        'contextforge.batch_size': events.length,
      },
    });
  });
}

function invalidArgument(path: string, message: string): AppError {
  return new AppError('VALIDATION_FAILED', `invalid task events query: ${path} ${message}`, {
    details: { issues: [{ path, message }] },
  });
}

function eventBase(taskId: string, attempt: number) {
  return { eventId: randomUUID(), taskId, attempt, at: new Date().toISOString() };
}

function alreadyFinal(task: TaskView): AppError {
  return new AppError('TASK_ALREADY_FINAL', `task ${task.id} is already ${task.status}`, {
    details: { status: task.status },
  });
}
