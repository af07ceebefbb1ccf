import {
  AppError,
  CONSUMER_GROUPS,
  type AttemptRef,
  TaskChangeSignalSchema,
  parseOrThrow,
  taskFromView,
  toSerializedError,
  type AgentInstance,
  type AgentRegistration,
  type AgentTransport,
  type BusMessage,
  type ClaimedAttempt,
  type Discovery,
  type FailedAttempt,
  type MessageBus,
  type QueueAgent,
  type Subscription,
  type TaskQueue,
  type TaskView,
  type TopicNames,
  type WatchHandle,
} from '@contextforge/contracts';
import { startSpanFrom, type Logger, type MetricsRegistry } from '@contextforge/observability';
import { AgentBreakers, DEFAULT_BREAKER_SETTINGS, type BreakerSettings } from './agent-breakers';
import { AgentPool, canRun, type AgentSlot, type LostAgent } from './agent-pool';
import { decideAfterFailure, type RetrySettings } from './failure-policy';
import { JOB_COORDINATOR_AGENT_ID } from './jobs/job-coordinator';
import { createStrategy, type Strategy, type StrategyName } from './strategies';

export interface SchedulerOptions {
  /** The durable queue (the task tables), shared by every replica. */
  queue: TaskQueue;
  bus: MessageBus;
  discovery: Discovery;
  transport: AgentTransport;
  topics: TopicNames;
  logger: Logger;
  /** This replica's name, recorded with the attempts it claims. */
  replicaId: string;
  strategy: StrategyName;
  retry: RetrySettings;
  /** Longest wait for an agent to accept a dispatch. */
  dispatchTimeoutMs: number;
  /** How long an agent that answered "at capacity" or failed a dispatch gets no new work. */
  agentPauseMs: number;
  /** Extra time past a task's timeoutMs before its attempt fails as TASK_TIMEOUT. */
  timeoutGraceMs: number;
  /**
   * A claimed attempt its agent has not started within this fails as DISPATCH_EXPIRED (the
   * replica that claimed it stalled or died between the claim and the call). Default: the dispatch
   * timeout plus the grace.
   */
  dispatchLeaseMs?: number;
  /** How often the sweeps run: timeouts, failed attempts awaiting a decision (default 500 ms). */
  sweepIntervalMs?: number;
  /**
   * The reconciler's grace: an open attempt that has not changed for this long, whose agent is not
   * live (or is another process now), fails as AGENT_LOST (default 10 s). Runs every 4 sweeps.
   */
  orphanAfterMs?: number;
  /**
   * How long a change waits before it starts a claim, so that the completions arriving meanwhile
   * share one claim transaction instead of one each (default 5 ms, like a Kafka producer's linger).
   */
  claimLingerMs?: number;
  /** Most tasks one claim takes (default 500). */
  claimBatchSize?: number;
  /** Called after every write that committed changes (the process's outbox relay publishes them). */
  onCommitted?: () => void;
  /** Per-agent circuit breakers around dispatch calls (default DEFAULT_BREAKER_SETTINGS). */
  breakers?: BreakerSettings;
  /**
   * An agent in this process (reached through `transport`, e.g. memory://) that runs a task only
   * when no healthy agent from discovery can: `coordinator.fallback: local`. Off when absent.
   */
  fallback?: AgentRegistration;
  /**
   * Prometheus metrics: retries and dead-letters are counted as this replica decides them; queue
   * depth per priority, in-flight per agent (both from the store) and breaker states at scrapes.
   */
  metrics?: MetricsRegistry;
}

/**
 * One scheduler replica. Any number run at once against one queue, with no leader: each claims
 * ready tasks for the agents it sees with free slots (the store counts open attempts across all
 * replicas and stamps each claim with an attempt number and a fencing token), dispatches them
 * through a circuit breaker per agent, and hands a refused dispatch back. Sweeps any replica runs
 * fail attempts past their time, decide failed attempts (retry at a durable "not before" time, or
 * dead-letter), and fail the attempts of agents that are gone. Nothing of the queue lives here:
 * a replica that dies loses nothing but the dispatch calls it had under way, whose attempts expire
 * and are claimed again.
 *
 * It wakes on the task-changes topic (one consumer group shared by the replicas, so each change
 * wakes one of them), on discovery changes, on the earliest retry time the store reports, and on
 * the sweep timer. The group also carries cancellations to the agent running the attempt.
 *
 * A queued task that no healthy agent can run gets that as its status reason (a sweep, so within
 * about two sweep intervals).
 *
 * Left out: fairness between clients (FIFO within a priority is global).
 */
export class Scheduler {
  private readonly pool = new AgentPool();
  private readonly strategy: Strategy;
  private readonly breakers: AgentBreakers;
  private readonly dispatches = new Set<Promise<void>>();
  /**
   * Dispatch calls under way, by task id: a cancellation that arrives meanwhile is remembered and
   * sent once the agent has accepted (before, the agent would not know the attempt).
   */
  private readonly calling = new Map<string, { attempt: number; cancelled?: string }>();
  private subscription: Subscription | undefined;
  private watch: WatchHandle | undefined;
  private pumping: Promise<void> | undefined;
  private pumpAgain = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private lingerTimer: NodeJS.Timeout | undefined;
  private sweepTimer: NodeJS.Timeout | undefined;
  private sweeping = false;
  private sweeps = 0;
  private stopped = false;
  private stopScrape: (() => void) | undefined;
  private dispatched = 0;
  /** Accepted dispatches not yet confirmed in the store (one statement per flush). */
  private toConfirm: AttemptRef[] = [];
  private confirmTimer: NodeJS.Timeout | undefined;

  constructor(private readonly options: SchedulerOptions) {
    this.strategy = createStrategy(options.strategy);
    if (options.fallback) this.pool.setFallback(options.fallback);
    this.breakers = new AgentBreakers(options.breakers ?? DEFAULT_BREAKER_SETTINGS, (agentId, circuit) => {
      this.options.logger.warn({ agentId, circuit }, 'circuit breaker changed state');
      const event = { agentId, circuit, at: new Date().toISOString() };
      void this.options.bus
        .publish(this.options.topics.agentCircuits, [{ key: agentId, value: event }])
        .catch((error) =>
          this.options.logger.error({ agentId, err: String(error) }, 'publishing a circuit event failed'),
        );
      this.schedulePump();
    });
  }

  /** Breaker state per agent that has one (agents never called are closed). */
  circuitStates(): Record<string, ReturnType<AgentBreakers['state']>> {
    return this.breakers.states();
  }

  /** The agents this replica sees in discovery (healthy or not). */
  knownAgents(): string[] {
    return this.pool.all().map((slot) => slot.registration.id);
  }

  /** Attempts this replica has dispatched since it started (operators compare replicas by it). */
  dispatchCount(): number {
    return this.dispatched;
  }

  /** Watches discovery (its first list is awaited), joins the task-changes group, and starts sweeping. */
  async start(): Promise<void> {
    this.stopped = false;
    this.stopScrape = this.options.metrics?.onScrape(() => this.collectMetrics());
    await new Promise<void>((resolve) => {
      this.watch = this.options.discovery.watch((agents) => {
        this.onAgents(agents);
        resolve();
      });
    });
    this.subscription = await this.options.bus.subscribe({
      topic: this.options.topics.taskChanges,
      group: CONSUMER_GROUPS.scheduler,
      maxBatchSize: 500,
      handler: (messages) => this.onChanges(messages),
    });
    this.sweepTimer = setInterval(() => void this.sweep(), this.options.sweepIntervalMs ?? 500);
    this.sweepTimer.unref();
    this.schedulePump();
    void this.sweep();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.stopScrape?.();
    this.watch?.close();
    clearTimeout(this.retryTimer);
    clearTimeout(this.lingerTimer);
    clearInterval(this.sweepTimer);
    this.breakers.close();
    await this.subscription?.close();
    await this.pumping;
    await Promise.allSettled([...this.dispatches]);
    clearTimeout(this.confirmTimer);
    await this.flushConfirmations();
  }

  private async collectMetrics(): Promise<void> {
    const metrics = this.options.metrics;
    if (!metrics || this.stopped) return;
    const figures = await this.options.queue.queueFigures();
    for (const [priority, depth] of figures.queuedByPriority.entries()) {
      metrics.queueDepth.set({ priority: String(priority) }, depth);
    }
    for (const slot of this.pool.all()) {
      metrics.agentInFlight.set(
        { agent: slot.registration.id },
        figures.inFlightByAgent[slot.registration.id] ?? 0,
      );
    }
    const circuits = this.circuitStates();
    for (const agent of new Set([
      ...this.pool.all().map((slot) => slot.registration.id),
      ...Object.keys(circuits),
    ])) {
      metrics.setCircuitState(agent, circuits[agent] ?? 'closed');
    }
  }

  /**
   * Every change may free a slot or queue a task: claim again. A cancelled attempt that was on an
   * agent is aborted there (the store already made the cancellation final).
   */
  private async onChanges(messages: readonly BusMessage[]): Promise<void> {
    let wake = false;
    let settle = false;
    for (const message of messages) {
      const change = parseOrThrow(TaskChangeSignalSchema, message.value, 'task change', 'INVALID_MESSAGE');
      const { event, task } = change;
      if (event.type === 'cancelled' && event.attempt > 0 && task.agentId) {
        const call = this.calling.get(task.id);
        if (call?.attempt === event.attempt) call.cancelled = event.reason ?? 'cancelled';
        else await this.cancelAt(task.agentId, task.id, event.attempt, event.reason ?? 'cancelled');
      }
      wake ||= WAKING_EVENTS.has(event.type);
      // A failed attempt waits for its retry decision: sweep now rather than at the next tick.
      settle ||= event.type === 'failed';
    }
    if (settle) void this.sweep();
    if (wake) this.wakeSoon();
  }

  private onAgents(instances: AgentInstance[]): void {
    const lost = this.pool.update(instances);
    if (lost.length > 0) void this.failAttemptsOf(lost);
    this.schedulePump();
  }

  /**
   * The attempts running on lost agents fail with AGENT_LOST (AGENT_DRAINING if it was draining:
   * a drained agent's leftovers must not count against the task); the sweep decides their retry.
   * Every replica sees the loss and calls this; the store fails each attempt once.
   */
  private async failAttemptsOf(lost: readonly LostAgent[]): Promise<void> {
    for (const { slot, message, wasDraining } of lost) {
      const error = wasDraining
        ? new AppError('AGENT_DRAINING', `${message} while draining`)
        : new AppError('AGENT_LOST', message);
      try {
        const failed = await this.options.queue.failAttemptsOn([slot.registration.id], error.toJSON());
        this.recordFailed(failed);
        if (failed.length > 0) this.options.onCommitted?.();
      } catch (failure) {
        // The reconciler fails them later (failOrphans).
        this.options.logger.warn(
          { agentId: slot.registration.id, err: String(failure) },
          'failing the attempts of a lost agent failed',
        );
      }
    }
    void this.sweep();
  }

  /** A claim after the linger, shared by every change that arrives meanwhile. */
  private wakeSoon(): void {
    if (this.lingerTimer || this.stopped) return;
    this.lingerTimer = setTimeout(() => {
      this.lingerTimer = undefined;
      this.schedulePump();
    }, this.options.claimLingerMs ?? 5);
  }

  /** Claims until the agents are full or the queue is empty; one run at a time. */
  private schedulePump(): void {
    if (this.stopped) return;
    if (this.pumping) {
      this.pumpAgain = true;
      return;
    }
    this.pumping = this.pump().finally(() => {
      this.pumping = undefined;
      if (this.pumpAgain) {
        this.pumpAgain = false;
        this.schedulePump();
      }
    });
  }

  private async pump(): Promise<void> {
    const batch = this.options.claimBatchSize ?? 500;
    try {
      for (;;) {
        if (this.stopped) return;
        const agents = this.claimableAgents();
        if (agents.length === 0) return;
        const outcome = await this.options.queue.claim({
          owner: this.options.replicaId,
          agents,
          limit: batch,
          dispatchLeaseMs:
            this.options.dispatchLeaseMs ?? this.options.dispatchTimeoutMs + this.options.timeoutGraceMs,
          timeoutGraceMs: this.options.timeoutGraceMs,
          choose: (task, candidates) => this.choose(task, candidates),
        });
        this.armRetry(outcome.nextRetryAt);
        if (outcome.claimed.length > 0) this.options.onCommitted?.();
        for (const attempt of outcome.claimed) this.track(this.dispatch(attempt));
        if (outcome.claimed.length < batch) return;
      }
    } catch (error) {
      // The store is unreachable: the sweep timer pumps again.
      this.options.logger.warn({ err: String(error) }, 'claiming tasks failed');
    }
  }

  /** The agents that may take work now: healthy, breaker closed, not paused; the fallback last. */
  private claimableAgents(): QueueAgent[] {
    const now = performance.now();
    const healthy = this.pool.healthy();
    const agents: QueueAgent[] = healthy
      .filter((slot) => slot.pausedUntil <= now && this.breakers.accepts(slot.registration.id))
      .map((slot) => queueAgentOf(slot.registration));
    const fallback = this.pool.fallback;
    if (fallback) {
      // The fallback runs only what no healthy agent can run at all (choose checks capabilities).
      const taskTypes = fallback.registration.taskTypes.filter(
        (type) => !healthy.some((slot) => slot.registration.taskTypes.includes(type)),
      );
      if (taskTypes.length > 0) agents.push({ ...queueAgentOf(fallback.registration), taskTypes });
    }
    const wake = healthy.filter((slot) => slot.pausedUntil > now).map((slot) => slot.pausedUntil - now);
    if (wake.length > 0) this.armRetry(new Date(Date.now() + Math.min(...wake)));
    return agents;
  }

  /** Every healthy agent (and the fallback) whatever its load: what could run a task at all. */
  private claimableAgentsIgnoringLoad(): QueueAgent[] {
    const agents = this.pool.healthy().map((slot) => queueAgentOf(slot.registration));
    const fallback = this.pool.fallback;
    if (fallback) agents.push(queueAgentOf(fallback.registration));
    return agents;
  }

  private choose(
    task: TaskView,
    candidates: ReadonlyArray<{ id: string; weight: number; inFlight: number }>,
  ) {
    const fallbackId = this.pool.fallback?.registration.id;
    const regular = candidates.filter((candidate) => candidate.id !== fallbackId);
    if (regular.length > 0) return this.strategy.pick(regular)?.id;
    const fallback = this.pool.fallback;
    if (!fallback || !candidates.some((candidate) => candidate.id === fallbackId)) return undefined;
    const anyHealthy = this.pool.healthy().some((slot) => canRun(slot.registration, task));
    return anyHealthy ? undefined : fallbackId;
  }

  /** Claims again at `at` (a retry's notBefore, or the end of an agent's pause). */
  private armRetry(at: Date | undefined): void {
    if (!at || this.stopped) return;
    const delay = Math.max(1, at.getTime() - Date.now());
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => this.schedulePump(), delay);
    this.retryTimer.unref();
  }

  private track(dispatch: Promise<void>): void {
    this.dispatches.add(dispatch);
    void dispatch.finally(() => this.dispatches.delete(dispatch));
  }

  private async dispatch({ task, agentId, attempt, token }: ClaimedAttempt): Promise<void> {
    const slot = this.pool.get(agentId);
    // A child of the submission's trace, stored with the task (Task.traceparent).
    const span = startSpanFrom(task.traceparent, 'scheduler dispatch', {
      kind: 'producer',
      attributes: {
        'contextforge.task_id': task.id,
        'contextforge.task_type': task.type,
        'contextforge.attempt': attempt,
        'contextforge.agent_id': agentId,
      },
    });
    const call: { attempt: number; cancelled?: string } = { attempt };
    this.calling.set(task.id, call);
    try {
      if (!slot) throw new AppError('AGENT_UNREACHABLE', `agent ${agentId} left before the dispatch`);
      const assignment = {
        task: taskFromView(task),
        attempt,
        token,
        ...(span.traceparent ? { traceparent: span.traceparent } : {}),
      };
      // The timeout aborts the request itself; the breaker counts it as a failure.
      await span.run(() =>
        this.breakers.fire(agentId, () =>
          this.options.transport.dispatch(slot.registration.endpoint, assignment, {
            signal: AbortSignal.timeout(this.options.dispatchTimeoutMs),
          }),
        ),
      );
      this.dispatched += 1;
      this.confirmSoon({ taskId: task.id, attempt, token });
      span.end();
      this.calling.delete(task.id);
      // Cancelled while the agent was answering: take the attempt back.
      if (call.cancelled !== undefined) await this.cancelAt(agentId, task.id, attempt, call.cancelled);
    } catch (error) {
      this.calling.delete(task.id);
      span.end(error);
      if (slot) slot.pausedUntil = performance.now() + this.options.agentPauseMs;
      const serialized = toSerializedError(error, 'AGENT_UNREACHABLE');
      this.options.logger.debug({ taskId: task.id, agentId, code: serialized.code }, 'dispatch bounced');
      // Waiting again in the same attempt; a later claim supersedes it. If this fails the attempt
      // stays dispatched and expires at its lease.
      await this.options.queue
        .release(
          task.id,
          attempt,
          token,
          `dispatch to ${agentId} bounced (${serialized.code}); waiting for an agent`,
        )
        .then(() => this.options.onCommitted?.())
        .catch((failure) =>
          this.options.logger.warn(
            { taskId: task.id, err: String(failure) },
            'handing a dispatch back failed',
          ),
        );
      this.schedulePump();
    }
  }

  /**
   * An agent accepted the attempt: after a short linger (so one statement confirms the batch a
   * claim dispatched), it keeps only its deadline, not the dispatch lease. A lost confirmation
   * costs nothing but the lease: the attempt's `started` usually reaches the store first anyway.
   */
  private confirmSoon(attempt: AttemptRef): void {
    this.toConfirm.push(attempt);
    if (this.confirmTimer) return;
    this.confirmTimer = setTimeout(() => void this.flushConfirmations(), CONFIRM_LINGER_MS);
  }

  private async flushConfirmations(): Promise<void> {
    this.confirmTimer = undefined;
    const attempts = this.toConfirm;
    this.toConfirm = [];
    if (attempts.length === 0) return;
    await this.options.queue
      .confirmDispatched(attempts)
      .catch((error) =>
        this.options.logger.warn(
          { count: attempts.length, err: String(error) },
          'confirming accepted dispatches failed; they keep their dispatch lease',
        ),
      );
  }

  /**
   * Timeouts, decisions on failed attempts and, every fourth run, orphans: work any replica may do
   * at any time; the store decides each task once.
   */
  private async sweep(): Promise<void> {
    if (this.sweeping || this.stopped) return;
    this.sweeping = true;
    try {
      const expired = await this.options.queue.expire(500);
      this.recordFailed(expired);
      for (const attempt of expired) void this.abortAbandoned(attempt);
      if (this.sweeps++ % 4 === 0) {
        const live = this.pool.healthy().map((slot) => ({
          id: slot.registration.id,
          ...(slot.registration.instanceId ? { instanceId: slot.registration.instanceId } : {}),
        }));
        const fallback = this.pool.fallback?.registration;
        if (fallback) live.push({ id: fallback.id });
        // Job parents run on the job coordinator (never in discovery): its own leadership, reconcile
        // and deadline look after them.
        live.push({ id: JOB_COORDINATOR_AGENT_ID });
        const orphans = await this.options.queue.failOrphans(live, this.options.orphanAfterMs ?? 10_000);
        const unrunnable = await this.options.queue.markUnrunnable(this.claimableAgentsIgnoringLoad(), 500);
        if (unrunnable.length > 0) this.options.onCommitted?.();
        this.recordFailed(orphans);
        if (orphans.length > 0) {
          this.options.onCommitted?.();
          this.options.logger.warn({ count: orphans.length }, 'failed attempts of agents that are gone');
        }
      }
      const settled = await this.options.queue.settleFailures(
        (task, error) => decideAfterFailure(error, task.failures ?? 0, task.maxAttempts, this.options.retry),
        500,
      );
      for (const task of settled) {
        if (task.status === 'dead_lettered') this.recordDeadLettered(task);
        else this.options.metrics?.taskRetries.inc({ type: task.type });
      }
      if (settled.length > 0 || expired.length > 0) this.options.onCommitted?.();
      // Every replica claims at every sweep too, whichever replica the changes woke: the load
      // spreads over the replicas even when one holds every partition of tasks.changes.
      this.schedulePump();
    } catch (error) {
      this.options.logger.warn({ err: String(error) }, 'sweeping the queue failed');
    } finally {
      this.sweeping = false;
    }
  }

  /**
   * The metrics of what this replica committed (the result-store counts what it applies): failed
   * attempts by code, and dead-letters with their submit-to-final duration.
   */
  private recordFailed(attempts: readonly FailedAttempt[]): void {
    for (const { task } of attempts) {
      this.options.metrics?.taskFailures.inc({ type: task.type, code: task.lastError?.code ?? 'INTERNAL' });
    }
  }

  private recordDeadLettered(task: TaskView): void {
    const metrics = this.options.metrics;
    if (!metrics) return;
    metrics.deadLetters.inc({ type: task.type });
    metrics.tasksFinished.inc({ type: task.type, status: 'dead_lettered' });
    const seconds = (Date.parse(task.finishedAt ?? task.updatedAt) - Date.parse(task.createdAt)) / 1000;
    if (Number.isFinite(seconds)) metrics.taskDuration.observe({ type: task.type }, Math.max(0, seconds));
  }

  /** An attempt failed for its time: tell its agent to stop (best effort). */
  private async abortAbandoned({ task, agentId, attempt }: FailedAttempt): Promise<void> {
    if (!agentId) return;
    await this.cancelAt(agentId, task.id, attempt, task.lastError?.message ?? 'the attempt was abandoned');
  }

  private async cancelAt(agentId: string, taskId: string, attempt: number, reason: string): Promise<void> {
    const endpoint = this.pool.get(agentId)?.registration.endpoint;
    if (!endpoint) return;
    await this.options.transport
      .cancel(endpoint, taskId, attempt, reason)
      .catch((error) =>
        this.options.logger.warn({ taskId, attempt, err: String(error) }, 'cancel at agent failed'),
      );
  }
}

/**
 * The changes after which a claim may find something: a task queued (new, retried, handed back,
 * re-driven) or a slot freed. A claim's own `dispatched`, and `started` and `progress`, change
 * neither, so they wake nobody (half the claims a busy queue would otherwise make find nothing).
 */
/** How long accepted dispatches gather before one statement confirms them. */
const CONFIRM_LINGER_MS = 250;

const WAKING_EVENTS: ReadonlySet<string> = new Set([
  'queued',
  'succeeded',
  'failed',
  'cancelled',
  'dead_lettered',
]);

function queueAgentOf(registration: AgentRegistration): QueueAgent {
  return {
    id: registration.id,
    ...(registration.instanceId ? { instanceId: registration.instanceId } : {}),
    taskTypes: registration.taskTypes,
    capabilities: registration.capabilities,
    concurrency: registration.concurrency,
    weight: registration.weight,
  };
}

/** Re-exported for the slot type's users. */
export type { AgentSlot };
