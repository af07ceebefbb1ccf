import {
  AppError,
  CONSUMER_GROUPS,
  REPO_JOB_TASK_TYPES,
  RepoAnalysisInputSchema,
  RepoChunkOutputSchema,
  RepoScanOutputSchema,
  TaskChangedMessageSchema,
  isFinalStatus,
  parseOrThrow,
  repositoryRootProblem,
  taskFromView,
  type BusMessage,
  type MessageBus,
  type RepoAnalysisInput,
  type RepoScanOutput,
  type ResultStoreApi,
  type SerializedError,
  type Subscription,
  type Task,
  type TaskEvent,
  type TaskView,
  type TopicNames,
} from '@contextforge/contracts';
import { startSpanFrom, traceparentOf, type Logger } from '@contextforge/observability';
import { randomUUID } from 'node:crypto';
import { planChunks } from './chunk-planner';
import { deadlineError, jobDeadline } from './job-deadline';
import { ReportBuilder } from './job-report';
import { chunkKey, failureOf, isChildType, recordChild, scanKey, type Job } from './job-state';

/** The agentId on the lifecycle events the coordinator publishes for its jobs. */
export const JOB_COORDINATOR_AGENT_ID = 'job-coordinator';

export type JobStore = Pick<
  ResultStoreApi,
  'submit' | 'getTask' | 'getResult' | 'listTasks' | 'cancel' | 'redrive'
>;

export interface JobCoordinatorOptions {
  bus: MessageBus;
  topics: TopicNames;
  logger: Logger;
  /** The result-store (embedded: the service; cluster: its HTTP client). */
  resultStore: JobStore;
  /** Delay before a step that failed (e.g. the result-store did not answer) runs again (default 1 s). */
  retryDelayMs?: number;
  /** Child results read at once while aggregating (default 8). */
  readConcurrency?: number;
  /**
   * How often the coordinator reconciles with the store (default 30 s; 0: never): each job in
   * progress re-reads its parent and children, so a change that was never delivered is picked
   * up, and open jobs not known here are adopted (see reconcile()).
   */
  reconcileIntervalMs?: number;
}

export const DEFAULT_RECONCILE_INTERVAL_MS = 30_000;

/** What the scheduler hands over instead of dispatching: tasks of the types in `handles`. */
export interface JobHandler {
  handles(type: string): boolean;
  /**
   * Takes over a job task (new, re-driven, or found open after a restart). Returns at once. Its
   * steps, and so its children, run in the trace the job was submitted in (Task.traceparent).
   */
  adopt(task: Task | TaskView): void;
}

const FINISHED_MEMORY = 10_000;
/** The statuses of a job still to run or running (what recover() adopts). */
const OPEN_JOB_STATUSES = ['queued', 'dispatched', 'running', 'failed'] as const;
/** Tasks per listTasks page (the store allows up to 1,000). */
const PAGE_SIZE = 500;
/** The longest delay setTimeout takes; a later deadline is re-armed when it fires. */
const MAX_TIMER_MS = 2_147_483_647;

/**
 * Runs `repo-analysis` jobs (use case 1) on the scheduler's leader: these tasks are never
 * dispatched to an agent, the coordinator runs them (JobHandler). A job is a parent task whose
 * children do the work: one `repo-scan`, then one `repo-chunk` per chunk of balanced size
 * (planChunks), each an ordinary task (queued, dispatched, retried, dead-lettered by the
 * scheduler) submitted with parentId and an idempotency key `<jobId>:scan` /
 * `<jobId>:chunk:<index>`, so re-submitting after a restart never duplicates one. The coordinator
 * publishes the parent's lifecycle events itself (dispatched/started with agentId
 * `job-coordinator`, `progress` {done, total, message} each time a chunk becomes final, then
 * `succeeded` with the RepoReport), and dead-letters the job when its input is invalid or the scan
 * finally fails. Chunks that finally fail do not fail the job: the report lists their files as
 * missing.
 *
 * Jobs are adopted by recover() (every open job in the store: the wiring calls it at start and
 * when the replica becomes the leader), from their own change on the task-changes topic (a new
 * job, or a re-driven one at a newer attempt), or handed over through adopt(). Each job's state is
 * kept in memory, rebuilt from the result-store when it is adopted (listTasks by parentId), so a
 * restarted or new leader resumes where the store is. The children are followed on the
 * task-changes topic (consumer group `job-coordinator`), which is delivered at least once: a
 * repeated or older change changes nothing. Every `reconcileIntervalMs` each job re-reads its
 * parent and children from the store and open jobs not known here are adopted, so no outcome
 * waits on a change that never arrived. Work on one job is serialised; a step that fails is
 * retried after `retryDelayMs`.
 *
 * Deadline: the parent's timeoutMs, counted from its createdAt (a re-driven job's from the
 * re-drive, see jobDeadline). When it passes with the scan or chunks not final, nothing more is
 * submitted, the open children are cancelled and the job is dead-lettered with TASK_TIMEOUT
 * naming the open chunks (deadlineError); a job adopted after its deadline ends at once. A job
 * whose chunks are all final by then completes as usual.
 *
 * Cancelling the parent (DELETE /tasks/{jobId}) cancels every child that is not final. Re-driving
 * a dead-lettered job re-drives its dead-lettered children.
 *
 * Left out: children of a job cancelled while no coordinator ran (they run to their end).
 */
export class JobCoordinator implements JobHandler {
  private readonly jobs = new Map<string, Job>();
  /** Jobs finished here, with the attempt they finished at (a newer one is a re-drive). */
  private readonly finishedJobs = new Map<string, number>();
  private readonly lookups = new Set<string>();
  private subscription: Subscription | undefined;
  private reconcileTimer: NodeJS.Timeout | undefined;
  private reconciling = false;
  private stopped = false;

  constructor(private readonly options: JobCoordinatorOptions) {}

  handles(type: string): boolean {
    return type === REPO_JOB_TASK_TYPES.job;
  }

  async start(): Promise<void> {
    this.subscription = await this.options.bus.subscribe({
      topic: this.options.topics.taskChanges,
      group: CONSUMER_GROUPS.jobCoordinator,
      from: 'latest',
      maxBatchSize: 500,
      handler: async (messages) => this.onChanges(messages),
    });
    const interval = this.options.reconcileIntervalMs ?? DEFAULT_RECONCILE_INTERVAL_MS;
    if (interval > 0) {
      this.reconcileTimer = setInterval(() => void this.reconcile(), interval);
      this.reconcileTimer.unref();
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.reconcileTimer);
    for (const job of this.jobs.values()) {
      clearTimeout(job.timer);
      clearTimeout(job.deadlineTimer);
    }
    await this.subscription?.close();
  }

  /** Job ids in progress here (tests, metrics). */
  activeJobs(): string[] {
    return [...this.jobs.keys()];
  }

  /**
   * Adopts every open `repo-analysis` job in the store (queued, dispatched, running or failed)
   * that is not in progress here; one this coordinator finished is adopted again only at a newer
   * attempt (a re-drive). For the wiring: at start, and when the replica becomes the leader.
   * Returns how many jobs it adopted.
   */
  async recover(): Promise<number> {
    let adopted = 0;
    for (const status of OPEN_JOB_STATUSES) {
      let cursor: string | undefined;
      do {
        const page = await this.options.resultStore.listTasks({
          type: REPO_JOB_TASK_TYPES.job,
          status,
          limit: PAGE_SIZE,
          ...(cursor ? { cursor } : {}),
        });
        for (const view of page.tasks) if (this.adoptIfNew(view)) adopted += 1;
        cursor = page.nextCursor;
      } while (cursor && !this.stopped);
    }
    return adopted;
  }

  /**
   * What the reconcile timer runs (one round at a time): every job in progress here re-reads its
   * parent and children from the store on its next step (one listTasks pass by parentId), which
   * picks up a child that became final without its change reaching this coordinator, or a
   * cancellation; then recover() adopts the open jobs not known here. A failure is logged and
   * the next round tries again.
   */
  async reconcile(): Promise<void> {
    if (this.stopped || this.reconciling) return;
    this.reconciling = true;
    try {
      for (const job of this.jobs.values()) {
        job.reload = true;
        this.kick(job);
      }
      const adopted = await this.recover();
      if (adopted > 0) this.options.logger.info({ adopted }, 'reconciling adopted open jobs');
    } catch (error) {
      this.options.logger.warn({ err: String(error) }, 'reconciling jobs failed');
    } finally {
      this.reconciling = false;
    }
  }

  adopt(task: Task | TaskView): void {
    if (this.stopped || this.jobs.has(task.id)) return;
    if ('status' in task && isFinalStatus(task.status)) return;
    this.finishedJobs.delete(task.id);
    // A job continues the trace stored with it; one stored without (tracing was off at submission)
    // gets a trace of its own.
    const traceparent = task.traceparent;
    const adopted = traceparent === undefined ? startSpanFrom(undefined, 'scheduler adopt-job') : undefined;
    adopted?.setAttributes({ 'contextforge.task_id': task.id });
    adopted?.end();
    const jobTrace = traceparent ?? adopted?.traceparent;
    const job: Job = {
      id: task.id,
      task: 'status' in task ? taskFromView(task) : task,
      ...(jobTrace ? { traceparent: jobTrace } : {}),
      chunks: new Map(),
      progressDone: -1,
      cancelled: false,
      reload: false,
      finished: false,
      running: false,
      again: false,
      expired: false,
    };
    this.jobs.set(job.id, job);
    this.kick(job);
  }

  /** Adopts a job not in progress here, unless it is final or finished here at this attempt. */
  private adoptIfNew(view: TaskView): boolean {
    if (this.stopped || this.jobs.has(view.id) || isFinalStatus(view.status)) return false;
    const finishedAt = this.finishedJobs.get(view.id);
    if (finishedAt !== undefined && view.attempt <= finishedAt) return false;
    this.adopt(view);
    return true;
  }

  private onChanges(messages: readonly BusMessage[]): void {
    for (const message of messages) {
      const { task } = parseOrThrow(
        TaskChangedMessageSchema,
        message.value,
        'task change',
        'INVALID_MESSAGE',
      );
      if (task.parentId !== undefined) this.onChildChanged(task.parentId, task);
      else if (this.handles(task.type)) this.onJobChanged(task);
    }
  }

  /**
   * A new job (its creation, or a re-drive) is adopted from its change; changes are delivered at
   * least once, so a repeated one of a job finished here is told apart by its attempt.
   */
  private onJobChanged(view: TaskView): void {
    const job = this.jobs.get(view.id);
    if (!job) {
      this.adoptIfNew(view);
      return;
    }
    if (view.status === 'cancelled' && !job.cancelled) {
      job.cancelled = true;
      this.kick(job);
    }
  }

  private onChildChanged(parentId: string, child: TaskView): void {
    const job = this.jobs.get(parentId);
    if (!job) {
      // A child of a job this coordinator has not adopted (yet): e.g. its leader changed.
      if (!this.finishedJobs.has(parentId) && isChildType(child.type)) void this.lookUp(parentId);
      return;
    }
    if (recordChild(job, child)) this.kick(job);
  }

  private async lookUp(jobId: string): Promise<void> {
    if (this.lookups.has(jobId)) return;
    this.lookups.add(jobId);
    try {
      const view = await this.options.resultStore.getTask(jobId);
      if (view && this.handles(view.type)) this.adoptIfNew(view);
    } catch (error) {
      this.options.logger.warn({ jobId, err: String(error) }, 'looking up a job failed');
    } finally {
      this.lookups.delete(jobId);
    }
  }

  /** Runs the job's next steps, one run at a time per job; a failed run is retried later. */
  private kick(job: Job): void {
    if (job.finished || this.stopped) return;
    if (job.running) {
      job.again = true;
      return;
    }
    job.running = true;
    clearTimeout(job.timer);
    void (async () => {
      try {
        do {
          job.again = false;
          const span = startSpanFrom(job.traceparent, 'scheduler job-step', {
            attributes: { 'contextforge.task_id': job.id },
          });
          await span
            .run(() => this.step(job))
            .then(
              () => span.end(),
              (error: unknown) => {
                span.end(error);
                throw error;
              },
            );
        } while (job.again && !job.finished && !this.stopped);
      } catch (error) {
        this.options.logger.warn({ jobId: job.id, err: String(error) }, 'job step failed; retrying');
        if (!this.stopped) job.timer = setTimeout(() => this.kick(job), this.options.retryDelayMs ?? 1000);
      } finally {
        job.running = false;
      }
    })();
  }

  private async step(job: Job): Promise<void> {
    if (!job.view || job.reload) {
      job.reload = false;
      try {
        await this.load(job);
      } catch (error) {
        job.reload = true;
        throw error;
      }
    }
    if (job.finished) return;
    if (job.deadlineAt === undefined) this.armDeadline(job, jobDeadline(job.view as TaskView, Date.now()));
    if (job.cancelled) return this.cancelChildren(job);
    if (job.attempt === undefined) {
      const started = await this.begin(job);
      if (!started) return;
    }
    if (job.expiry) return this.expire(job);
    const input = job.input as RepoAnalysisInput;
    if (!job.scan) {
      if (job.expired) return this.expire(job);
      const submitted = await this.submitChild(job, scanKey(job.id), REPO_JOB_TASK_TYPES.scan, {
        root: input.root,
        ...(input.include ? { include: input.include } : {}),
        ...(input.exclude ? { exclude: input.exclude } : {}),
        useDefaultExcludes: input.useDefaultExcludes,
        maxFileBytes: input.maxFileBytes,
      });
      recordChild(job, submitted);
    }
    const scan = job.scan;
    if (!scan || !isFinalStatus(scan.status)) {
      if (job.expired) await this.expire(job);
      return;
    }
    if (scan.status !== 'succeeded') {
      return this.deadLetter(job, {
        ...failureOf(scan),
        message: `the repository scan ${scan.status}: ${failureOf(scan).message}`,
      });
    }
    if (!job.plan) {
      const result = await this.options.resultStore.getResult(scan.id);
      const parsed = RepoScanOutputSchema.safeParse(result?.output);
      if (!parsed.success) {
        return this.deadLetter(job, {
          code: 'INVALID_MESSAGE',
          message: 'the repository scan returned no valid file list',
          retryable: false,
        });
      }
      job.scanOutput = parsed.data;
      job.plan = planChunks(parsed.data.files, input.chunkBytes);
    }
    // Past the deadline nothing new is submitted; a job whose chunks are all final still completes.
    if (!job.expired) await this.submitChunks(job, input);
    if (job.cancelled || job.finished) return;
    await this.publishProgress(job);
    const plan = job.plan;
    if ([...job.chunks.values()].filter((chunk) => isFinalStatus(chunk.status)).length < plan.length) {
      if (job.expired) await this.expire(job);
      return;
    }
    await this.complete(job);
  }

  /** Reads the parent and its children from the store (adoption, also after a restart; reconcile). */
  private async load(job: Job): Promise<void> {
    const view = await this.options.resultStore.getTask(job.id);
    if (!view || isFinalStatus(view.status)) {
      if (view?.status === 'cancelled') job.cancelled = true;
      else return this.finish(job, view?.attempt);
    }
    let cursor: string | undefined;
    do {
      const page = await this.options.resultStore.listTasks({
        parentId: job.id,
        limit: PAGE_SIZE,
        ...(cursor ? { cursor } : {}),
      });
      for (const child of page.tasks) recordChild(job, child);
      cursor = page.nextCursor;
    } while (cursor);
    job.view = view;
  }

  /** Validates the input and moves the parent to running; false when the job was dead-lettered. */
  private async begin(job: Job): Promise<boolean> {
    const view = job.view as TaskView;
    const parsed = RepoAnalysisInputSchema.safeParse(job.task.input);
    const problem = parsed.success ? repositoryRootProblem(parsed.data.root) : undefined;
    if (!parsed.success || problem !== undefined) {
      job.attempt = view.attempt;
      const message = parsed.success
        ? `root ${problem}`
        : parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
      await this.deadLetter(job, {
        code: 'VALIDATION_FAILED',
        message: `invalid repository job input: ${message}`,
        retryable: false,
      });
      return false;
    }
    job.input = parsed.data;
    const resumed = view.status === 'dispatched' || view.status === 'running';
    job.attempt = resumed ? view.attempt : view.attempt + 1;
    if (!resumed) {
      const base = () => this.eventBase(job);
      await this.publish([
        { ...base(), type: 'dispatched', agentId: JOB_COORDINATOR_AGENT_ID },
        { ...base(), type: 'started', agentId: JOB_COORDINATOR_AGENT_ID },
      ]);
    }
    if (view.attempt > 0 && view.status === 'queued') await this.redriveChildren(job);
    return true;
  }

  /** A re-driven job: its dead-lettered children are queued again (the rest keep their outcome). */
  private async redriveChildren(job: Job): Promise<void> {
    const dead = [job.scan, ...job.chunks.values()].filter(
      (child): child is TaskView => child?.status === 'dead_lettered',
    );
    if (dead.length === 0) return;
    const outcome = await this.options.resultStore.redrive(dead.map((child) => child.id));
    for (const child of outcome.redriven) recordChild(job, child);
  }

  private async submitChunks(job: Job, input: RepoAnalysisInput): Promise<void> {
    for (const chunk of job.plan ?? []) {
      if (job.cancelled || this.stopped) return;
      if (job.chunks.has(chunk.index)) continue;
      const view = await this.submitChild(job, chunkKey(job.id, chunk.index), REPO_JOB_TASK_TYPES.chunk, {
        root: input.root,
        files: chunk.files,
        analyzers: input.analyzers,
      });
      recordChild(job, view);
    }
    if (job.progressDone < 0) {
      const scan = job.scanOutput as RepoScanOutput;
      const total = job.plan?.length ?? 0;
      await this.publishProgressEvent(
        job,
        0,
        total,
        `scanned ${scan.files.length} files (${scan.totalBytes} bytes, ${scan.skipped.length} skipped) into ${total} chunks`,
      );
    }
  }

  private async submitChild(job: Job, key: string, type: string, input: unknown): Promise<TaskView> {
    const { task } = job;
    const outcome = await this.options.resultStore.submit(
      {
        type,
        input,
        priority: task.priority,
        requiredCapabilities: task.requiredCapabilities,
        timeoutMs: (job.input as RepoAnalysisInput).chunkTimeoutMs,
        maxAttempts: task.maxAttempts,
        idempotencyKey: key,
      },
      task.clientId,
      { parentId: job.id },
    );
    return outcome.task;
  }

  private async publishProgress(job: Job): Promise<void> {
    const chunks = [...job.chunks.values()];
    const done = chunks.filter((chunk) => isFinalStatus(chunk.status)).length;
    if (done <= job.progressDone) return;
    const failed = chunks.filter(
      (chunk) => isFinalStatus(chunk.status) && chunk.status !== 'succeeded',
    ).length;
    const total = job.plan?.length ?? 0;
    const message = `${done} of ${total} chunks finished${failed > 0 ? ` (${failed} failed)` : ''}`;
    await this.publishProgressEvent(job, done, total, message);
  }

  private async publishProgressEvent(job: Job, done: number, total: number, message: string): Promise<void> {
    await this.publish([
      {
        ...this.eventBase(job),
        type: 'progress',
        agentId: JOB_COORDINATOR_AGENT_ID,
        progress: { done, total, message },
      },
    ]);
    job.progressDone = Math.max(job.progressDone, done);
  }

  /** Every chunk is final: reads the results in chunk order and publishes the report. */
  private async complete(job: Job): Promise<void> {
    const input = job.input as RepoAnalysisInput;
    const plan = job.plan ?? [];
    const builder = new ReportBuilder({
      root: input.root,
      analyzers: input.analyzers,
      chunks: plan.length,
      skipped: job.scanOutput?.skipped ?? [],
    });
    const width = this.options.readConcurrency ?? 8;
    for (let start = 0; start < plan.length; start += width) {
      const window = plan.slice(start, start + width);
      const results = await Promise.all(
        window.map((chunk) => {
          const view = job.chunks.get(chunk.index);
          return view?.status === 'succeeded'
            ? this.options.resultStore.getResult(view.id)
            : Promise.resolve(undefined);
        }),
      );
      for (const [offset, chunk] of window.entries()) {
        const view = job.chunks.get(chunk.index) as TaskView;
        const output = RepoChunkOutputSchema.safeParse(results[offset]?.output);
        if (view.status === 'succeeded' && output.success) {
          builder.addSucceeded(output.data);
          continue;
        }
        const failure = view.status === 'succeeded' ? undefined : failureOf(view);
        builder.addFailed({
          index: chunk.index,
          taskId: view.id,
          status: view.status,
          reason: failure ? `${failure.code}: ${failure.message}` : 'the chunk returned no valid result',
          files: chunk.files,
        });
      }
    }
    const report = builder.build();
    await this.publish([
      {
        ...this.eventBase(job),
        type: 'succeeded',
        agentId: JOB_COORDINATOR_AGENT_ID,
        output: report,
        durationMs: Math.max(0, Date.now() - Date.parse(job.task.createdAt)),
      },
    ]);
    this.options.logger.info(
      { jobId: job.id, chunks: plan.length, files: report.totals.files, missing: report.missing.count },
      'repository job finished',
    );
    this.finish(job);
  }

  private async cancelChildren(job: Job): Promise<void> {
    await this.cancelOpenChildren(job, `job ${job.id} was cancelled`);
    this.finish(job);
  }

  private async cancelOpenChildren(job: Job, reason: string): Promise<void> {
    const open = [job.scan, ...job.chunks.values()].filter(
      (child): child is TaskView => child !== undefined && !isFinalStatus(child.status),
    );
    for (const child of open) {
      try {
        recordChild(job, await this.options.resultStore.cancel(child.id, reason));
      } catch (error) {
        if (!(error instanceof AppError) || !['TASK_ALREADY_FINAL', 'TASK_NOT_FOUND'].includes(error.code)) {
          throw error;
        }
      }
    }
  }

  /** Expires the job at `deadlineAt`: at once when that has passed, else from an unref'd timer. */
  private armDeadline(job: Job, deadlineAt: number): void {
    job.deadlineAt = deadlineAt;
    const left = deadlineAt - Date.now();
    if (left <= 0) {
      job.expired = true;
      return;
    }
    job.deadlineTimer = setTimeout(
      () => {
        if (left > MAX_TIMER_MS) return this.armDeadline(job, deadlineAt);
        job.expired = true;
        // The children as the store has them now decide what is missing.
        job.reload = true;
        this.kick(job);
      },
      Math.min(left, MAX_TIMER_MS),
    );
    job.deadlineTimer.unref();
  }

  /**
   * The deadline passed with work open: the error naming it is fixed first (so a retried step
   * reports the same chunks), the open children are cancelled and the job is dead-lettered.
   */
  private async expire(job: Job): Promise<void> {
    if (!job.expiry) {
      job.expiry = deadlineError(job, job.deadlineAt ?? Date.now());
      const { stage, missingChunks } = job.expiry.details ?? {};
      this.options.logger.warn(
        { jobId: job.id, timeoutMs: job.task.timeoutMs, stage, missingChunks },
        'repository job passed its deadline',
      );
    }
    await this.cancelOpenChildren(job, `job ${job.id} passed its deadline`);
    await this.deadLetter(job, job.expiry);
  }

  private async deadLetter(job: Job, error: SerializedError): Promise<void> {
    await this.publish([{ ...this.eventBase(job), type: 'dead_lettered', error }]);
    this.finish(job);
  }

  /** `storedAttempt`: the attempt of the parent as the store showed it final. */
  private finish(job: Job, storedAttempt = -1): void {
    job.finished = true;
    clearTimeout(job.timer);
    clearTimeout(job.deadlineTimer);
    this.jobs.delete(job.id);
    this.finishedJobs.delete(job.id);
    this.finishedJobs.set(job.id, Math.max(job.attempt ?? -1, job.view?.attempt ?? -1, storedAttempt));
    if (this.finishedJobs.size > FINISHED_MEMORY) {
      const oldest = this.finishedJobs.keys().next().value;
      if (oldest !== undefined) this.finishedJobs.delete(oldest);
    }
  }

  private eventBase(job: Job) {
    return { eventId: randomUUID(), taskId: job.id, attempt: job.attempt ?? 0, at: new Date().toISOString() };
  }

  private async publish(events: TaskEvent[]): Promise<void> {
    const traceparent = traceparentOf();
    await this.options.bus.publish(
      this.options.topics.taskEvents,
      events.map((event) => ({
        key: event.taskId,
        value: event,
        ...(traceparent ? { headers: { traceparent } } : {}),
      })),
    );
  }
}
