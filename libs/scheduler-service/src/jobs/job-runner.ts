import {
  AppError,
  REPO_JOB_TASK_TYPES,
  RepoAnalysisInputSchema,
  RepoScanOutputSchema,
  isFinalStatus,
  repositoryRootProblem,
  type MessageBus,
  type RepoAnalysisInput,
  type RepoScanOutput,
  type SerializedError,
  type TaskEvent,
  type TaskView,
  type TopicNames,
} from '@contextforge/contracts';
import { startSpanFrom, traceparentOf, type Logger } from '@contextforge/observability';
import { randomUUID } from 'node:crypto';
import { planChunks } from './chunk-planner';
import { aggregateReport } from './job-aggregate';
import { deadlineError, jobDeadline } from './job-deadline';
import {
  JOB_COORDINATOR_AGENT_ID,
  LIST_PAGE_SIZE,
  chunkKey,
  failureOf,
  recordChild,
  scanKey,
  type Job,
  type JobStore,
} from './job-state';

/** The longest delay setTimeout takes; a later deadline is re-armed when it fires. */
const MAX_TIMER_MS = 2_147_483_647;

export interface JobRunnerOptions {
  bus: MessageBus;
  topics: TopicNames;
  logger: Logger;
  resultStore: JobStore;
  retryDelayMs: number;
  readConcurrency: number;
  /** A job ended here or was found final in the store; `attempt` is the parent's attempt then. */
  onFinished(job: Job, attempt: number): void;
}

/**
 * Advances the jobs the JobCoordinator has adopted (see its comment for what a job does): each
 * `kick` runs the job's next steps against the store, one run at a time per job, re-reading the
 * parent and children first when the job is new or asked to (`reload`). It arms the job's
 * deadline on its first step, and ends it there when the deadline passes with work open.
 */
export class JobRunner {
  private stopped = false;

  constructor(private readonly options: JobRunnerOptions) {}

  /** No step runs after this; the jobs' timers are cleared. */
  stop(jobs: Iterable<Job>): void {
    this.stopped = true;
    for (const job of jobs) {
      clearTimeout(job.timer);
      clearTimeout(job.deadlineTimer);
    }
  }

  /** Runs the job's next steps, one run at a time per job; a failed run is retried later. */
  kick(job: Job): void {
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
        if (!this.stopped) job.timer = setTimeout(() => this.kick(job), this.options.retryDelayMs);
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
        limit: LIST_PAGE_SIZE,
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

  /** Every chunk is final: publishes the report. */
  private async complete(job: Job): Promise<void> {
    const plan = job.plan ?? [];
    const report = await aggregateReport(job, this.options.resultStore, this.options.readConcurrency);
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
    this.options.onFinished(job, Math.max(job.attempt ?? -1, job.view?.attempt ?? -1, storedAttempt));
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
