import {
  AppError,
  CONSUMER_GROUPS,
  TaskEventSchema,
  TaskSubmittedMessageSchema,
  TaskControlMessageSchema,
  isFinalStatus,
  parseOrThrow,
  taskFromView,
  toSerializedError,
  type AgentInstance,
  type AgentRegistration,
  type AgentTransport,
  type BusMessage,
  type Discovery,
  type MessageBus,
  type SerializedError,
  type Subscription,
  type Task,
  type TaskEvent,
  type TaskView,
  type TopicNames,
  type WatchHandle,
} from '@contextforge/contracts';
import { startSpanFrom, type Logger, type MetricsRegistry } from '@contextforge/observability';
import { randomUUID } from 'node:crypto';
import { AgentBreakers, DEFAULT_BREAKER_SETTINGS, type BreakerSettings } from './agent-breakers';
import { AgentPool, canRun, type AgentSlot, type LostAgent } from './agent-pool';
import { decideAfterFailure, type RetrySettings } from './failure-policy';
import { FinishedTasks } from './finished-tasks';
import { PriorityQueue } from './priority-queue';
import type { Tracked, TrackedState } from './tracked-task';
import { createStrategy, type Strategy, type StrategyName } from './strategies';
import type { JobHandler } from './jobs/job-coordinator';

export interface SchedulerOptions {
  bus: MessageBus;
  discovery: Discovery;
  transport: AgentTransport;
  topics: TopicNames;
  logger: Logger;
  strategy: StrategyName;
  retry: RetrySettings;
  /** Longest wait for an agent to accept a dispatch. */
  dispatchTimeoutMs: number;
  /** How long an agent that answered "at capacity" or failed a dispatch gets no new work. */
  agentPauseMs: number;
  /** Extra time past a task's timeoutMs before the scheduler gives up on the attempt itself. */
  timeoutGraceMs: number;
  /** Per-agent circuit breakers around dispatch calls (default DEFAULT_BREAKER_SETTINGS). */
  breakers?: BreakerSettings;
  /**
   * An agent in this process (reached through `transport`, e.g. memory://) that runs a task only
   * when no healthy agent from discovery can: `coordinator.fallback: local`. Off when absent.
   */
  fallback?: AgentRegistration;
  /**
   * Runs job tasks (fan-out/fan-in, e.g. the JobCoordinator's `repo-analysis`) instead of agents:
   * tasks of the types it handles are handed to it when submitted, re-driven or adopted, and
   * never queued or dispatched here.
   */
  jobs?: JobHandler;
  /**
   * Prometheus metrics: retries and dead-letters are counted as decided; queue depth per
   * priority, in-flight per agent and breaker states are read at every scrape while started.
   */
  metrics?: MetricsRegistry;
}

/**
 * The scheduler: keeps the queue of tasks waiting for an agent, picks agents by strategy among
 * healthy capable ones with free capacity, dispatches, and decides what happens after a failed
 * attempt (retry with backoff, or dead-letter). It learns outcomes from the task-events topic,
 * the same events the result-store persists, including its own `failed` events for lost agents
 * and timeouts.
 *
 * Left out: sharing the work between scheduler replicas. The queue lives in this process, so one
 * replica runs at a time (apps/scheduler elects it with a lease); a new leader or a restarted
 * scheduler rebuilds its state from the result-store (`adopt`, see recover-tasks.ts).
 */
export class Scheduler {
  private readonly tasks = new Map<string, Tracked>();
  private readonly finished = new FinishedTasks();
  private readonly queue = new PriorityQueue<Tracked>();
  private readonly pool = new AgentPool();
  /** Queued tasks not yet checked for "no healthy agent can run this" since they queued or agents changed. */
  private readonly unannounced = new Set<Tracked>();
  private readonly strategy: Strategy;
  private readonly subscriptions: Subscription[] = [];
  private watch: WatchHandle | undefined;
  private pumpScheduled = false;
  private pumpTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  private stopScrape: (() => void) | undefined;

  private readonly breakers: AgentBreakers;

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

  /**
   * Watches discovery (the first list of agents is awaited, so that adopted attempts find their
   * agents), runs `beforeConsuming`, then joins the bus. Recovery belongs in `beforeConsuming`:
   * an event consumed for a task not yet adopted is dropped, and the task adopted afterwards from
   * a view older than that event would then wait for an outcome that already came.
   */
  async start(options: { beforeConsuming?: () => Promise<void> } = {}): Promise<void> {
    const { bus, topics } = this.options;
    this.stopScrape = this.options.metrics?.onScrape(() => this.collectMetrics());
    await new Promise<void>((resolve) => {
      this.watch = this.options.discovery.watch((agents) => {
        this.onAgents(agents);
        resolve();
      });
    });
    await options.beforeConsuming?.();
    // Joined in parallel: each is a consumer group of its own, and a join can take seconds (a
    // new leader's start, and with it fail-over, is as slow as the slowest join, not their sum).
    const joins = await Promise.allSettled([
      bus.subscribe({
        topic: topics.taskEvents,
        group: CONSUMER_GROUPS.scheduler,
        handler: (messages) => this.onMessages(messages, (value) => this.onEvent(value)),
      }),
      bus.subscribe({
        topic: topics.tasksSubmitted,
        group: CONSUMER_GROUPS.scheduler,
        handler: (messages) => this.onMessages(messages, (value) => this.onSubmitted(value)),
      }),
      bus.subscribe({
        topic: topics.taskControl,
        group: CONSUMER_GROUPS.scheduler,
        handler: (messages) => this.onMessages(messages, (value) => this.onControl(value)),
      }),
    ]);
    const joined = joins.flatMap((join) => (join.status === 'fulfilled' ? [join.value] : []));
    const failed = joins.find((join): join is PromiseRejectedResult => join.status === 'rejected');
    if (failed) {
      await Promise.all(joined.map((subscription) => subscription.close().catch(() => undefined)));
      throw failed.reason;
    }
    this.subscriptions.push(...joined);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.stopScrape?.();
    this.watch?.close();
    clearTimeout(this.pumpTimer);
    this.breakers.close();
    for (const tracked of this.tasks.values()) clearTimeout(tracked.timer);
    await Promise.all(this.subscriptions.map((subscription) => subscription.close()));
  }

  /**
   * Takes over a task the result-store knows but this scheduler does not (after a restart or a
   * change of leader). Queued tasks queue again; an attempt on a live agent is tracked as running
   * with a fresh timeout (its outcome arrives as events); one on a gone agent fails as AGENT_LOST;
   * a failed attempt awaiting its decision gets it now. Failure counts start again from here.
   */
  async adopt(view: TaskView): Promise<void> {
    if (this.stopped || this.tasks.has(view.id) || isFinalStatus(view.status)) return;
    if (this.options.jobs?.handles(view.type)) return this.options.jobs.adopt(view);
    if (this.finished.covers(view.id, view.attempt)) return;
    const tracked: Tracked = {
      task: taskFromView(view),
      attempt: view.attempt,
      failures: 0,
      state: 'queued',
    };
    this.tasks.set(view.id, tracked);
    if (view.status === 'queued') {
      this.enqueue(tracked);
      this.schedulePump();
      return;
    }
    tracked.state = 'running';
    const slot = view.agentId ? this.pool.get(view.agentId) : undefined;
    if (view.status === 'failed' || !slot || slot.health === 'critical') {
      const error =
        view.status === 'failed' && view.lastError
          ? view.lastError
          : new AppError('AGENT_LOST', `agent ${view.agentId ?? '(none)'} is gone`).toJSON();
      await this.afterFailure(tracked, error);
      return;
    }
    tracked.agentId = slot.registration.id;
    slot.inFlight.add(view.id);
    const attempt = tracked.attempt;
    this.arm(
      tracked,
      tracked.task.timeoutMs + this.options.timeoutGraceMs,
      () => void this.onAttemptTimeout(tracked, attempt, slot),
    );
  }

  /** Queue depth per priority (index = priority), for metrics. */
  queueDepth(): number[] {
    return this.queue.sizeByPriority();
  }

  inFlightByAgent(): Record<string, number> {
    return this.pool.inFlightByAgent();
  }

  private collectMetrics(): void {
    const metrics = this.options.metrics;
    if (!metrics) return;
    for (const [priority, depth] of this.queueDepth().entries()) {
      metrics.queueDepth.set({ priority: String(priority) }, depth);
    }
    const inFlight = this.inFlightByAgent();
    for (const [agent, count] of Object.entries(inFlight)) metrics.agentInFlight.set({ agent }, count);
    const circuits = this.circuitStates();
    for (const agent of new Set([...Object.keys(inFlight), ...Object.keys(circuits)])) {
      metrics.setCircuitState(agent, circuits[agent] ?? 'closed');
    }
  }

  private async onMessages(messages: readonly BusMessage[], handle: (value: unknown) => Promise<void>) {
    try {
      for (const message of messages) await handle(message.value);
    } finally {
      this.schedulePump();
    }
  }

  private async onSubmitted(value: unknown): Promise<void> {
    const { task } = parseOrThrow(
      TaskSubmittedMessageSchema,
      value,
      'tasks.submitted message',
      'INVALID_MESSAGE',
    );
    if (this.tasks.has(task.id) || this.finished.covers(task.id, 0)) return;
    if (this.options.jobs?.handles(task.type)) return this.options.jobs.adopt(task);
    const tracked: Tracked = { task, attempt: 0, failures: 0, state: 'queued' };
    this.tasks.set(task.id, tracked);
    this.enqueue(tracked);
  }

  private async onControl(value: unknown): Promise<void> {
    const message = parseOrThrow(TaskControlMessageSchema, value, 'task control message', 'INVALID_MESSAGE');
    if (message.action === 'redrive') {
      if (this.tasks.has(message.task.id) || this.finished.covers(message.task.id, message.attempt)) return;
      if (this.options.jobs?.handles(message.task.type)) return this.options.jobs.adopt(message.task);
      const tracked: Tracked = { task: message.task, attempt: message.attempt, failures: 0, state: 'queued' };
      this.tasks.set(message.task.id, tracked);
      this.enqueue(tracked);
      return;
    }
    const tracked = this.tasks.get(message.taskId);
    if (!tracked) return;
    // Published first: if that fails the bus hands the message over again and nothing has changed.
    await this.publish({ ...this.eventBase(tracked), type: 'cancelled', reason: message.reason });
    const { attempt, agentId, state } = tracked;
    this.finish(tracked);
    // A dispatch still waiting for its answer takes the attempt back itself once accepted.
    const endpoint =
      state === 'running' && agentId ? this.pool.get(agentId)?.registration.endpoint : undefined;
    if (endpoint) await this.cancelAt(endpoint, tracked.task.id, attempt, message.reason);
  }

  private async onEvent(value: unknown): Promise<void> {
    const event = parseOrThrow(TaskEventSchema, value, 'task event', 'INVALID_MESSAGE');
    const tracked = this.tasks.get(event.taskId);
    if (!tracked || event.attempt < tracked.attempt) return;
    switch (event.type) {
      case 'succeeded':
      case 'dead_lettered':
        this.finish(tracked);
        return;
      case 'cancelled': {
        // Cancelled through the API (the result-store decided it): abort the attempt at its agent.
        const { state, agentId, attempt } = tracked;
        this.finish(tracked);
        const endpoint =
          state === 'running' && agentId ? this.pool.get(agentId)?.registration.endpoint : undefined;
        if (endpoint) await this.cancelAt(endpoint, event.taskId, attempt, event.reason);
        return;
      }
      case 'failed':
        if (
          event.attempt === tracked.attempt &&
          (tracked.state === 'running' || tracked.state === 'dispatching')
        ) {
          await this.afterFailure(tracked, event.error);
        }
        return;
      default:
        return;
    }
  }

  /** Retry with backoff, or dead-letter when the error is final or attempts are used up. */
  private async afterFailure(tracked: Tracked, error: SerializedError): Promise<void> {
    this.release(tracked);
    const decision = decideAfterFailure(
      error,
      tracked.failures,
      tracked.task.maxAttempts,
      this.options.retry,
    );
    if (decision.kind === 'dead_letter') {
      const details = { ...error.details, reason: decision.reason, attempts: decision.failures };
      await this.publish({ ...this.eventBase(tracked), type: 'dead_lettered', error: { ...error, details } });
      // Counted once published: a failed publish is redelivered and decided again.
      this.options.metrics?.deadLetters.inc({ type: tracked.task.type });
      tracked.failures = decision.failures;
      this.finish(tracked);
      return;
    }
    tracked.failures = decision.failures;
    tracked.state = 'retry_wait';
    this.options.metrics?.taskRetries.inc({ type: tracked.task.type });
    // Back at the front of its priority once the backoff is over: the failed attempt was
    // dispatched before anything still queued there, so FIFO puts it first, and a task whose agent
    // died is re-dispatched on the next free slot instead of behind the whole queue.
    this.arm(tracked, decision.delayMs, () => {
      if (tracked.state === 'retry_wait') this.enqueue(tracked, 'front');
      this.schedulePump();
    });
    // Armed before publishing: if the publish fails the bus redelivers the event, which is then
    // ignored, and the retry still happens.
    await this.publish({ ...this.eventBase(tracked), type: 'queued', reason: decision.reason });
  }

  private onAgents(instances: AgentInstance[]): void {
    for (const lost of this.pool.update(instances)) this.failAttemptsOf(lost);
    for (const tracked of this.tasks.values()) {
      if (tracked.state === 'queued' && !tracked.waitingReasonPublished) this.unannounced.add(tracked);
    }
    this.schedulePump();
  }

  /**
   * The attempts running on a lost agent fail with AGENT_LOST (AGENT_DRAINING if it was draining:
   * a drained agent's leftovers must not count against the task); the failure path re-dispatches.
   */
  private failAttemptsOf({ slot, message, wasDraining }: LostAgent): void {
    const error = wasDraining
      ? new AppError('AGENT_DRAINING', `${message} while draining`)
      : new AppError('AGENT_LOST', message);
    for (const taskId of slot.inFlight) {
      const tracked = this.tasks.get(taskId);
      if (!tracked) continue;
      void this.publishQuietly({
        ...this.eventBase(tracked),
        type: 'failed',
        agentId: slot.registration.id,
        error: error.toJSON(),
      });
    }
  }

  private enqueue(tracked: Tracked, place: 'back' | 'front' = 'back'): void {
    tracked.state = 'queued';
    if (place === 'front') this.queue.pushFront(tracked.task.priority, tracked);
    else this.queue.push(tracked.task.priority, tracked);
    this.unannounced.add(tracked);
  }

  private schedulePump(): void {
    if (this.pumpScheduled || this.stopped) return;
    this.pumpScheduled = true;
    setImmediate(() => {
      this.pumpScheduled = false;
      if (!this.stopped) this.pump();
    });
  }

  private pump(): void {
    const now = performance.now();
    const healthy = this.pool.healthy();
    if (this.queue.size > 0) this.dispatchQueued(healthy, now);
    this.announceWaiting(healthy);
    const paused = healthy.filter((slot) => slot.pausedUntil > now);
    if (this.queue.size > 0 && paused.length > 0) {
      const wake = Math.min(...paused.map((slot) => slot.pausedUntil)) - now;
      clearTimeout(this.pumpTimer);
      this.pumpTimer = setTimeout(() => this.schedulePump(), Math.max(1, wake));
    }
  }

  private dispatchQueued(healthy: AgentSlot[], now: number): void {
    const available = healthy.filter(
      (slot) =>
        slot.pausedUntil <= now &&
        slot.inFlight.size < slot.registration.concurrency &&
        this.breakers.accepts(slot.registration.id),
    );
    const fallback = this.pool.fallback;
    let capacity = [...available, ...(fallback ? [fallback] : [])].reduce(
      (sum, slot) => sum + slot.registration.concurrency - slot.inFlight.size,
      0,
    );
    this.queue.scan((tracked) => {
      if (capacity <= 0) return 'stop';
      const candidates = available.filter(
        (slot) =>
          slot.inFlight.size < slot.registration.concurrency && canRun(slot.registration, tracked.task),
      );
      const chosen = this.strategy.pick(
        candidates.map((slot) => ({
          id: slot.registration.id,
          weight: slot.registration.weight,
          inFlight: slot.inFlight.size,
        })),
      );
      const slot = (chosen && this.pool.get(chosen.id)) ?? this.fallbackFor(tracked, healthy);
      if (!slot) return 'skip';
      capacity -= 1;
      void this.dispatch(tracked, slot);
      return 'take';
    });
  }

  /** The fallback agent, when there is one with room and no healthy agent could run the task at all. */
  private fallbackFor(tracked: Tracked, healthy: readonly AgentSlot[]): AgentSlot | undefined {
    const fallback = this.pool.fallback;
    if (!fallback || fallback.inFlight.size >= fallback.registration.concurrency) return undefined;
    if (!canRun(fallback.registration, tracked.task)) return undefined;
    return healthy.some((slot) => canRun(slot.registration, tracked.task)) ? undefined : fallback;
  }

  /**
   * Publishes the waiting reason for queued tasks that no healthy agent can run, once per wait.
   * Only tasks queued or re-checked since the last pump are looked at, so a long queue behind busy
   * agents is not rescanned on every pump.
   */
  private announceWaiting(healthy: AgentSlot[]): void {
    const runnable = new Map<string, boolean>();
    for (const tracked of this.unannounced) {
      if (tracked.state !== 'queued' || tracked.waitingReasonPublished) continue;
      const { task } = tracked;
      const kind = [task.type, ...task.requiredCapabilities].join('\n');
      let can = runnable.get(kind);
      if (can === undefined) {
        can = healthy.some((slot) => canRun(slot.registration, task));
        runnable.set(kind, can);
      }
      if (can) continue;
      tracked.waitingReasonPublished = true;
      void this.publishQuietly({ ...this.eventBase(tracked), type: 'queued', reason: noAgentReason(task) });
    }
    this.unannounced.clear();
  }

  private async dispatch(tracked: Tracked, slot: AgentSlot): Promise<void> {
    tracked.attempt += 1;
    tracked.state = 'dispatching';
    tracked.agentId = slot.registration.id;
    tracked.waitingReasonPublished = false;
    slot.inFlight.add(tracked.task.id);
    const attempt = tracked.attempt;
    const { endpoint } = slot.registration;
    // A child of the submission's trace, stored with the task (Task.traceparent), so adopted and
    // re-driven tasks continue it too.
    const span = startSpanFrom(tracked.task.traceparent, 'scheduler dispatch', {
      kind: 'producer',
      attributes: {
        'contextforge.task_id': tracked.task.id,
        'contextforge.task_type': tracked.task.type,
        'contextforge.attempt': attempt,
        'contextforge.agent_id': slot.registration.id,
      },
    });
    // Acknowledged before the agent is called: the agent's own events of this attempt (started,
    // succeeded) then follow it on the task's partition, so the result-store records the attempt in
    // order instead of ignoring a `dispatched` that lost the race to `started`.
    await this.publishQuietly({
      ...this.eventBase(tracked),
      type: 'dispatched',
      agentId: slot.registration.id,
    });
    // (The cast: TypeScript keeps the narrowing from before the await; the state may have moved.)
    if (tracked.attempt !== attempt || (tracked.state as TrackedState) !== 'dispatching') {
      span.end();
      return;
    }
    // The agent's spans and events continue the trace of this dispatch.
    const assignment = {
      task: tracked.task,
      attempt,
      ...(span.traceparent ? { traceparent: span.traceparent } : {}),
    };
    try {
      // The timeout aborts the request itself; the breaker counts it as a failure.
      await span.run(() =>
        this.breakers.fire(slot.registration.id, () =>
          this.options.transport.dispatch(endpoint, assignment, {
            signal: AbortSignal.timeout(this.options.dispatchTimeoutMs),
          }),
        ),
      );
      span.end();
    } catch (error) {
      span.end(error);
      if (tracked.attempt !== attempt || tracked.state !== 'dispatching') return;
      slot.inFlight.delete(tracked.task.id);
      slot.pausedUntil = performance.now() + this.options.agentPauseMs;
      const serialized = toSerializedError(error, 'AGENT_UNREACHABLE');
      this.options.logger.debug(
        { taskId: tracked.task.id, agentId: slot.registration.id, code: serialized.code },
        'dispatch bounced',
      );
      tracked.agentId = undefined;
      this.enqueue(tracked, 'front');
      this.schedulePump();
      // The store saw `dispatched`; the task is waiting again (a later attempt supersedes this).
      await this.publishQuietly({
        ...this.eventBase(tracked),
        type: 'queued',
        reason: `dispatch to ${slot.registration.id} bounced (${serialized.code}); waiting for an agent`,
      });
      return;
    }
    if ((tracked.state as TrackedState) === 'finished') {
      // Cancelled (or settled) while the agent was answering: take the attempt back.
      await this.cancelAt(
        endpoint,
        tracked.task.id,
        attempt,
        'the task finished while it was being dispatched',
      );
      return;
    }
    if (tracked.attempt !== attempt || tracked.state !== 'dispatching') return;
    tracked.state = 'running';
    this.arm(
      tracked,
      tracked.task.timeoutMs + this.options.timeoutGraceMs,
      () => void this.onAttemptTimeout(tracked, attempt, slot),
    );
    this.cancelAbandoned(tracked);
  }

  /** The agent reported no outcome in time: fail the attempt (the agent is told once it is superseded). */
  private async onAttemptTimeout(tracked: Tracked, attempt: number, slot: AgentSlot): Promise<void> {
    if (tracked.attempt !== attempt || tracked.state !== 'running') return;
    const error = new AppError('TASK_TIMEOUT', `no outcome within ${tracked.task.timeoutMs} ms`);
    tracked.abandoned = { endpoint: slot.registration.endpoint, attempt, reason: error.message };
    await this.publishQuietly({
      ...this.eventBase(tracked),
      type: 'failed',
      agentId: slot.registration.id,
      error: error.toJSON(),
    });
  }

  private cancelAbandoned(tracked: Tracked): void {
    const abandoned = tracked.abandoned;
    if (!abandoned) return;
    tracked.abandoned = undefined;
    void this.cancelAt(abandoned.endpoint, tracked.task.id, abandoned.attempt, abandoned.reason);
  }

  private async cancelAt(endpoint: string, taskId: string, attempt: number, reason: string): Promise<void> {
    await this.options.transport
      .cancel(endpoint, taskId, attempt, reason)
      .catch((error) =>
        this.options.logger.warn({ taskId, attempt, err: String(error) }, 'cancel at agent failed'),
      );
  }

  /** Runs `fire` after `ms` as the task's one timer; nothing is armed once stopped. */
  private arm(tracked: Tracked, ms: number, fire: () => void): void {
    clearTimeout(tracked.timer);
    if (!this.stopped) tracked.timer = setTimeout(fire, ms);
  }

  private release(tracked: Tracked): void {
    clearTimeout(tracked.timer);
    if (tracked.agentId) this.pool.get(tracked.agentId)?.inFlight.delete(tracked.task.id);
    tracked.agentId = undefined;
  }

  private finish(tracked: Tracked): void {
    this.release(tracked);
    if (tracked.state === 'queued') this.queue.remove(tracked.task.priority, (item) => item === tracked);
    tracked.state = 'finished';
    this.tasks.delete(tracked.task.id);
    this.finished.add(tracked.task.id, tracked.attempt);
    this.cancelAbandoned(tracked);
    this.schedulePump();
  }

  private eventBase(tracked: Tracked) {
    return {
      eventId: randomUUID(),
      taskId: tracked.task.id,
      attempt: tracked.attempt,
      at: new Date().toISOString(),
    };
  }

  private async publish(event: TaskEvent): Promise<void> {
    const traceparent = this.tasks.get(event.taskId)?.task.traceparent;
    await this.options.bus.publish(this.options.topics.taskEvents, [
      { key: event.taskId, value: event, ...(traceparent ? { headers: { traceparent } } : {}) },
    ]);
  }

  /** For publishes outside a bus handler (timers, watches, dispatches): a failure is logged, never thrown. */
  private async publishQuietly(event: TaskEvent): Promise<void> {
    await this.publish(event).catch((error) =>
      this.options.logger.error(
        { taskId: event.taskId, type: event.type, err: String(error) },
        'publishing a task event failed',
      ),
    );
  }
}

function noAgentReason(task: Task): string {
  const capabilities = task.requiredCapabilities.length
    ? ` with capabilities ${task.requiredCapabilities.join(', ')}`
    : '';
  return `waiting: no healthy agent runs ${task.type}${capabilities}`;
}
