import {
  CONSUMER_GROUPS,
  REPO_JOB_TASK_TYPES,
  TaskChangeSignalSchema,
  TaskChangedMessageSchema,
  isFinalStatus,
  parseOrThrow,
  taskFromView,
  type BusMessage,
  type MessageBus,
  type Subscription,
  type Task,
  type TaskView,
  type TopicNames,
} from '@contextforge/contracts';
import { startSpanFrom, type Logger } from '@contextforge/observability';
import { JobRunner } from './job-runner';
import { LIST_PAGE_SIZE, isChildType, recordChild, type Job, type JobStore } from './job-state';

export { JOB_COORDINATOR_AGENT_ID, type JobStore } from './job-state';

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
  private readonly runner: JobRunner;

  constructor(private readonly options: JobCoordinatorOptions) {
    this.runner = new JobRunner({
      bus: options.bus,
      topics: options.topics,
      logger: options.logger,
      resultStore: options.resultStore,
      retryDelayMs: options.retryDelayMs ?? 1000,
      readConcurrency: options.readConcurrency ?? 8,
      onFinished: (job, attempt) => this.forget(job, attempt),
    });
  }

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
    this.runner.stop(this.jobs.values());
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
          limit: LIST_PAGE_SIZE,
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
        this.runner.kick(job);
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
    this.runner.kick(job);
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
      // Most changes are of tasks outside any job: told apart from the few fields, read in full
      // only when they concern a job.
      const signal = parseOrThrow(TaskChangeSignalSchema, message.value, 'task change', 'INVALID_MESSAGE');
      if (signal.task.parentId === undefined && !this.handles(signal.task.type)) continue;
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
      this.runner.kick(job);
    }
  }

  private onChildChanged(parentId: string, child: TaskView): void {
    const job = this.jobs.get(parentId);
    if (!job) {
      // A child of a job this coordinator has not adopted (yet): e.g. its leader changed.
      if (!this.finishedJobs.has(parentId) && isChildType(child.type)) void this.lookUp(parentId);
      return;
    }
    if (recordChild(job, child)) this.runner.kick(job);
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

  /** A job ended: remembered with its attempt, so a repeated change does not adopt it again. */
  private forget(job: Job, attempt: number): void {
    this.jobs.delete(job.id);
    this.finishedJobs.delete(job.id);
    this.finishedJobs.set(job.id, attempt);
    if (this.finishedJobs.size > FINISHED_MEMORY) {
      const oldest = this.finishedJobs.keys().next().value;
      if (oldest !== undefined) this.finishedJobs.delete(oldest);
    }
  }
}
