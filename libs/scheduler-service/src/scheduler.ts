import {
  AppError,
  CONSUMER_GROUPS,
  TaskEventSchema,
  TaskSubmittedMessageSchema,
  TaskControlMessageSchema,
  parseOrThrow,
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
  type TopicNames,
  type WatchHandle,
} from '@contextforge/contracts';
import type { Logger } from '@contextforge/observability';
import { backoffDelay } from '@contextforge/resilience';
import { randomUUID } from 'node:crypto';
import { PriorityQueue } from './priority-queue';
import { createStrategy, type Strategy, type StrategyName } from './strategies';

export interface SchedulerOptions {
  bus: MessageBus;
  discovery: Discovery;
  transport: AgentTransport;
  topics: TopicNames;
  logger: Logger;
  strategy: StrategyName;
  retry: { initialDelayMs: number; maxDelayMs: number };
  /** Longest wait for an agent to accept a dispatch. */
  dispatchTimeoutMs: number;
  /** How long an agent that answered "at capacity" or failed a dispatch gets no new work. */
  agentPauseMs: number;
  /** Extra time past a task's timeoutMs before the scheduler gives up on the attempt itself. */
  timeoutGraceMs: number;
}

type TrackedState = 'queued' | 'dispatching' | 'running' | 'retry_wait';

interface Tracked {
  task: Task;
  /** The latest dispatch epoch handed out for this task. */
  attempt: number;
  /** Failed attempts so far (bounced dispatches and drained hand-backs do not count). */
  failures: number;
  state: TrackedState;
  agentId?: string;
  timer?: NodeJS.Timeout;
  /** Set once the "no agent can run this" reason has been published for the current wait. */
  waitingReasonPublished?: boolean;
}

interface AgentSlot {
  registration: AgentRegistration;
  healthy: boolean;
  inFlight: Set<string>;
  pausedUntil: number;
}

/**
 * The scheduler: keeps the queue of tasks waiting for an agent, picks agents by strategy among
 * healthy capable ones with free capacity, dispatches, and decides what happens after a failed
 * attempt (retry with backoff, or dead-letter). It learns outcomes from the task-events topic,
 * the same events the result-store persists.
 */
export class Scheduler {
  private readonly tasks = new Map<string, Tracked>();
  private readonly queue = new PriorityQueue<Tracked>();
  private readonly agents = new Map<string, AgentSlot>();
  private readonly strategy: Strategy;
  private readonly subscriptions: Subscription[] = [];
  private watch: WatchHandle | undefined;
  private pumpScheduled = false;
  private pumpTimer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(private readonly options: SchedulerOptions) {
    this.strategy = createStrategy(options.strategy);
  }

  async start(): Promise<void> {
    const { bus, topics } = this.options;
    this.watch = this.options.discovery.watch((agents) => this.onAgents(agents));
    this.subscriptions.push(
      await bus.subscribe({
        topic: topics.taskEvents,
        group: CONSUMER_GROUPS.scheduler,
        handler: (messages) => this.onMessages(messages, (value) => this.onEvent(value)),
      }),
      await bus.subscribe({
        topic: topics.tasksSubmitted,
        group: CONSUMER_GROUPS.scheduler,
        handler: (messages) => this.onMessages(messages, (value) => this.onSubmitted(value)),
      }),
      await bus.subscribe({
        topic: topics.taskControl,
        group: CONSUMER_GROUPS.scheduler,
        handler: (messages) => this.onMessages(messages, (value) => this.onControl(value)),
      }),
    );
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.watch?.close();
    clearTimeout(this.pumpTimer);
    for (const tracked of this.tasks.values()) clearTimeout(tracked.timer);
    await Promise.all(this.subscriptions.map((subscription) => subscription.close()));
  }

  /** Queue depth per priority (index = priority), for metrics. */
  queueDepth(): number[] {
    return this.queue.sizeByPriority();
  }

  inFlightByAgent(): Record<string, number> {
    return Object.fromEntries([...this.agents].map(([id, slot]) => [id, slot.inFlight.size]));
  }

  private async onMessages(messages: readonly BusMessage[], handle: (value: unknown) => Promise<void>) {
    for (const message of messages) await handle(message.value);
    this.schedulePump();
  }

  private async onSubmitted(value: unknown): Promise<void> {
    const { task } = parseOrThrow(TaskSubmittedMessageSchema, value, 'tasks.submitted message', 'INVALID_MESSAGE');
    if (this.tasks.has(task.id)) return;
    const tracked: Tracked = { task, attempt: 0, failures: 0, state: 'queued' };
    this.tasks.set(task.id, tracked);
    this.queue.push(task.priority, tracked);
  }

  private async onControl(value: unknown): Promise<void> {
    const message = parseOrThrow(TaskControlMessageSchema, value, 'task control message', 'INVALID_MESSAGE');
    if (message.action === 'redrive') {
      const existing = this.tasks.get(message.task.id);
      if (existing) return;
      const tracked: Tracked = { task: message.task, attempt: message.attempt, failures: 0, state: 'queued' };
      this.tasks.set(message.task.id, tracked);
      this.queue.push(message.task.priority, tracked);
      return;
    }
    const tracked = this.tasks.get(message.taskId);
    if (!tracked) return;
    if (tracked.state === 'queued') this.queue.remove(tracked.task.priority, (item) => item === tracked);
    if ((tracked.state === 'running' || tracked.state === 'dispatching') && tracked.agentId) {
      const endpoint = this.agents.get(tracked.agentId)?.registration.endpoint;
      if (endpoint) {
        await this.options.transport
          .cancel(endpoint, tracked.task.id, tracked.attempt, message.reason)
          .catch((error) => this.options.logger.warn({ err: String(error) }, 'cancel at agent failed'));
      }
    }
    await this.publish({ ...this.eventBase(tracked), type: 'cancelled', reason: message.reason });
    this.finish(tracked);
  }

  private async onEvent(value: unknown): Promise<void> {
    const event = parseOrThrow(TaskEventSchema, value, 'task event', 'INVALID_MESSAGE');
    const tracked = this.tasks.get(event.taskId);
    if (!tracked || event.attempt < tracked.attempt) return;
    switch (event.type) {
      case 'succeeded':
      case 'cancelled':
      case 'dead_lettered':
        this.finish(tracked);
        return;
      case 'failed':
        if (event.attempt === tracked.attempt && (tracked.state === 'running' || tracked.state === 'dispatching')) {
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
    if (error.code !== 'AGENT_DRAINING') tracked.failures += 1;
    const { maxAttempts } = tracked.task;
    if (!error.retryable || tracked.failures >= maxAttempts) {
      const reason = error.retryable ? `gave up after ${tracked.failures} of ${maxAttempts} attempts` : 'not retryable';
      await this.publish({
        ...this.eventBase(tracked),
        type: 'dead_lettered',
        error: { ...error, details: { ...error.details, reason, attempts: tracked.failures } },
      });
      this.finish(tracked);
      return;
    }
    const delay =
      error.code === 'AGENT_DRAINING'
        ? 0
        : backoffDelay(tracked.failures, {
            initialMs: this.options.retry.initialDelayMs,
            maxMs: this.options.retry.maxDelayMs,
            jitter: 'full',
          });
    tracked.state = 'retry_wait';
    await this.publish({
      ...this.eventBase(tracked),
      type: 'queued',
      reason: `retry ${tracked.failures + 1} of ${maxAttempts} in ${Math.round(delay)} ms after ${error.code}`,
    });
    tracked.timer = setTimeout(() => {
      if (tracked.state !== 'retry_wait') return;
      tracked.state = 'queued';
      this.queue.push(tracked.task.priority, tracked);
      this.schedulePump();
    }, delay);
  }

  private onAgents(instances: AgentInstance[]): void {
    const seen = new Set<string>();
    for (const instance of instances) {
      const { registration } = instance;
      seen.add(registration.id);
      const slot = this.agents.get(registration.id);
      const healthy = instance.health === 'passing';
      if (slot) {
        slot.registration = registration;
        if (instance.health === 'critical') this.loseAgent(slot, `agent ${registration.id} is unhealthy`);
        slot.healthy = healthy;
      } else {
        this.agents.set(registration.id, { registration, healthy, inFlight: new Set(), pausedUntil: 0 });
      }
    }
    for (const [id, slot] of this.agents) {
      if (seen.has(id)) continue;
      this.loseAgent(slot, `agent ${id} left`);
      this.agents.delete(id);
    }
    for (const tracked of this.tasks.values()) tracked.waitingReasonPublished = false;
    this.schedulePump();
  }

  /** The attempts running on a lost agent fail with AGENT_LOST; the failure path re-dispatches them. */
  private loseAgent(slot: AgentSlot, message: string): void {
    for (const taskId of slot.inFlight) {
      const tracked = this.tasks.get(taskId);
      if (!tracked) continue;
      void this.publish({
        ...this.eventBase(tracked),
        type: 'failed',
        agentId: slot.registration.id,
        error: new AppError('AGENT_LOST', message).toJSON(),
      });
    }
  }

  private schedulePump(): void {
    if (this.pumpScheduled || this.stopped) return;
    this.pumpScheduled = true;
    setImmediate(() => {
      this.pumpScheduled = false;
      this.pump();
    });
  }

  private pump(): void {
    if (this.queue.size === 0) return;
    const now = performance.now();
    const healthy = [...this.agents.values()].filter((slot) => slot.healthy);
    const available = healthy.filter(
      (slot) => slot.pausedUntil <= now && slot.inFlight.size < slot.registration.concurrency,
    );
    let capacity = available.reduce((sum, slot) => sum + slot.registration.concurrency - slot.inFlight.size, 0);
    this.queue.scan((tracked) => {
      if (capacity <= 0) return 'stop';
      const candidates = available.filter(
        (slot) => slot.inFlight.size < slot.registration.concurrency && canRun(slot.registration, tracked.task),
      );
      const chosen = this.strategy.pick(
        candidates.map((slot) => ({
          id: slot.registration.id,
          weight: slot.registration.weight,
          inFlight: slot.inFlight.size,
        })),
      );
      const slot = chosen && this.agents.get(chosen.id);
      if (!slot) {
        if (!tracked.waitingReasonPublished && !healthy.some((agent) => canRun(agent.registration, tracked.task))) {
          tracked.waitingReasonPublished = true;
          void this.publish({ ...this.eventBase(tracked), type: 'queued', reason: noAgentReason(tracked.task) });
        }
        return 'skip';
      }
      capacity -= 1;
      void this.dispatch(tracked, slot);
      return 'take';
    });
    const paused = [...this.agents.values()].filter((slot) => slot.healthy && slot.pausedUntil > now);
    if (this.queue.size > 0 && paused.length > 0) {
      const wake = Math.min(...paused.map((slot) => slot.pausedUntil)) - now;
      clearTimeout(this.pumpTimer);
      this.pumpTimer = setTimeout(() => this.schedulePump(), Math.max(1, wake));
    }
  }

  private async dispatch(tracked: Tracked, slot: AgentSlot): Promise<void> {
    tracked.attempt += 1;
    tracked.state = 'dispatching';
    tracked.agentId = slot.registration.id;
    tracked.waitingReasonPublished = false;
    slot.inFlight.add(tracked.task.id);
    const attempt = tracked.attempt;
    try {
      await this.options.transport.dispatch(
        slot.registration.endpoint,
        { task: tracked.task, attempt },
        { signal: AbortSignal.timeout(this.options.dispatchTimeoutMs) },
      );
    } catch (error) {
      if (tracked.attempt !== attempt || tracked.state !== 'dispatching') return;
      slot.inFlight.delete(tracked.task.id);
      slot.pausedUntil = performance.now() + this.options.agentPauseMs;
      const serialized = toSerializedError(error, 'AGENT_UNREACHABLE');
      this.options.logger.debug({ taskId: tracked.task.id, agentId: slot.registration.id, code: serialized.code }, 'dispatch bounced');
      tracked.state = 'queued';
      tracked.agentId = undefined;
      this.queue.pushFront(tracked.task.priority, tracked);
      this.schedulePump();
      return;
    }
    if (tracked.attempt !== attempt || tracked.state !== 'dispatching') return;
    tracked.state = 'running';
    tracked.timer = setTimeout(() => void this.onAttemptTimeout(tracked, attempt, slot), tracked.task.timeoutMs + this.options.timeoutGraceMs);
    await this.publish({ ...this.eventBase(tracked), type: 'dispatched', agentId: slot.registration.id });
  }

  /** The agent did not report an outcome in time: cancel there and fail the attempt. */
  private async onAttemptTimeout(tracked: Tracked, attempt: number, slot: AgentSlot): Promise<void> {
    if (tracked.attempt !== attempt || tracked.state !== 'running') return;
    const error = new AppError('TASK_TIMEOUT', `no outcome within ${tracked.task.timeoutMs} ms`);
    await this.options.transport
      .cancel(slot.registration.endpoint, tracked.task.id, attempt, error.message)
      .catch(() => undefined);
    await this.publish({ ...this.eventBase(tracked), type: 'failed', agentId: slot.registration.id, error: error.toJSON() });
  }

  private release(tracked: Tracked): void {
    clearTimeout(tracked.timer);
    if (tracked.agentId) this.agents.get(tracked.agentId)?.inFlight.delete(tracked.task.id);
    tracked.agentId = undefined;
  }

  private finish(tracked: Tracked): void {
    this.release(tracked);
    if (tracked.state === 'queued') this.queue.remove(tracked.task.priority, (item) => item === tracked);
    this.tasks.delete(tracked.task.id);
    this.schedulePump();
  }

  private eventBase(tracked: Tracked) {
    return { eventId: randomUUID(), taskId: tracked.task.id, attempt: tracked.attempt, at: new Date().toISOString() };
  }

  private async publish(event: TaskEvent): Promise<void> {
    await this.options.bus.publish(this.options.topics.taskEvents, [{ key: event.taskId, value: event }]);
  }
}

export function canRun(agent: AgentRegistration, task: Task): boolean {
  return (
    agent.taskTypes.includes(task.type) &&
    task.requiredCapabilities.every((capability) => agent.capabilities.includes(capability))
  );
}

function noAgentReason(task: Task): string {
  const capabilities = task.requiredCapabilities.length ? ` with capabilities ${task.requiredCapabilities.join(', ')}` : '';
  return `waiting: no healthy agent runs ${task.type}${capabilities}`;
}
