import { MemoryAgentNetwork } from '@contextforge/agent-transport';
import {
  TaskChangedMessageSchema,
  topicNames,
  type BusMessage,
  type Subscription,
  type Task,
  type TaskEvent,
  type TaskEventOf,
  type TaskEventType,
  type TopicNames,
} from '@contextforge/contracts';
import { MemoryDiscovery } from '@contextforge/discovery';
import { MemoryMessageBus } from '@contextforge/messaging';
import { createSilentLogger } from '@contextforge/observability';
import { MemoryTaskRepository, OutboxRelay } from '@contextforge/persistence';
import { randomUUID } from 'node:crypto';
import { MessageRecorder, buildTask, uniqueName } from '@contextforge/testing';
import { Scheduler, type SchedulerOptions } from '../../src/scheduler';
import { TestAgent, type TestAgentOptions } from './test-agent';

export interface HarnessOptions extends Partial<
  Pick<
    SchedulerOptions,
    'strategy' | 'retry' | 'agentPauseMs' | 'timeoutGraceMs' | 'fallback' | 'dispatchLeaseMs'
  >
> {
  /** Discovery TTL; agents heartbeat at a quarter of it. Default 30 s (no expiry within a test). */
  ttlMs?: number;
  /** Leave the scheduler unstarted, so a test can set things up before it sees them. */
  deferStart?: boolean;
}

/**
 * The default dispatch lease: longer than any test, so that no attempt expires unless a test asks
 * for a short lease. The scheduler's own default (the dispatch timeout plus the grace, about a
 * second) is shorter than an agent's answer to a claim may take under CPU load, and an expired
 * attempt is dispatched again: its task runs twice.
 */
export const TEST_DISPATCH_LEASE_MS = 60_000;

const WAIT_MS = 5_000;

/**
 * A scheduler built with in-memory adapters (queue, bus, discovery, agent network) in its own
 * topic namespace. The harness plays the result-store: it applies the agents' task events to the
 * queue's store and relays the outbox to the task-changes topic, where an observer group records
 * every applied event (the scheduler's claims and decisions, and the agents' reports).
 */
export class SchedulerHarness {
  readonly bus = new MemoryMessageBus({ retry: { maxRetries: 1, initialDelayMs: 1, maxDelayMs: 5 } });
  readonly discovery: MemoryDiscovery;
  readonly network = new MemoryAgentNetwork();
  readonly topics: TopicNames = topicNames(uniqueName('sched'));
  readonly scheduler: Scheduler;
  readonly store = new MemoryTaskRepository();
  readonly relay: OutboxRelay;
  readonly events = new MessageRecorder();
  private readonly agents: TestAgent[] = [];
  private readonly heartbeats = new Map<string, NodeJS.Timeout>();
  private readonly subscriptions: Subscription[] = [];
  private readonly ttlMs: number;
  private readonly parsed: TaskEvent[] = [];
  private parsedCount = 0;

  private constructor(options: HarnessOptions) {
    this.ttlMs = options.ttlMs ?? 30_000;
    this.discovery = new MemoryDiscovery({ ttlMs: this.ttlMs });
    this.relay = new OutboxRelay({
      queue: this.store,
      bus: this.bus,
      topic: this.topics.taskChanges,
      logger: createSilentLogger(),
      pollIntervalMs: 20,
    });
    this.scheduler = new Scheduler({
      queue: this.store,
      replicaId: 'test-replica',
      onCommitted: () => this.relay.kick(),
      sweepIntervalMs: 10,
      orphanAfterMs: 60_000,
      dispatchLeaseMs: options.dispatchLeaseMs ?? TEST_DISPATCH_LEASE_MS,
      bus: this.bus,
      discovery: this.discovery,
      transport: this.network,
      topics: this.topics,
      logger: createSilentLogger(),
      strategy: options.strategy ?? 'round_robin',
      retry: options.retry ?? { initialDelayMs: 5, maxDelayMs: 20 },
      dispatchTimeoutMs: 1_000,
      agentPauseMs: options.agentPauseMs ?? 20,
      timeoutGraceMs: options.timeoutGraceMs ?? 20,
      ...(options.fallback ? { fallback: options.fallback } : {}),
    });
  }

  static async create(options: HarnessOptions = {}): Promise<SchedulerHarness> {
    const harness = new SchedulerHarness(options);
    await harness.bus.connect();
    await harness.discovery.connect();
    await harness.store.connect();
    harness.relay.start();
    harness.subscriptions.push(
      await harness.bus.subscribe({
        topic: harness.topics.taskChanges,
        group: 'test-observer',
        handler: harness.events.handler,
      }),
      await harness.bus.subscribe({
        topic: harness.topics.taskEvents,
        group: 'test-store',
        handler: async (messages) => {
          await harness.store.applyEvents(messages.map((message) => message.value as TaskEvent));
          harness.relay.kick();
        },
      }),
    );
    if (!options.deferStart) await harness.scheduler.start();
    return harness;
  }

  async stop(): Promise<void> {
    for (const timer of this.heartbeats.values()) clearInterval(timer);
    await this.scheduler.stop();
    await Promise.all(this.subscriptions.map((subscription) => subscription.close()));
    await this.relay.stop();
    await this.store.close();
    await this.bus.close();
    await this.discovery.close();
  }

  /** Serves a test agent on the network, registers it and keeps it heartbeating. */
  async addAgent(options: TestAgentOptions): Promise<TestAgent> {
    const agent = new TestAgent(options, this.bus, this.topics);
    this.network.listen(agent.registration.endpoint, agent);
    await this.discovery.register(agent.registration);
    const timer = setInterval(() => {
      this.discovery.heartbeat(agent.id).catch(() => undefined);
    }, this.ttlMs / 4);
    timer.unref();
    this.heartbeats.set(agent.id, timer);
    this.agents.push(agent);
    return agent;
  }

  stopHeartbeats(agent: TestAgent): void {
    clearInterval(this.heartbeats.get(agent.id));
  }

  /** Open attempts per agent, as the store counts them (every replica's). */
  async inFlight(): Promise<Record<string, number>> {
    return (await this.store.queueFigures()).inFlightByAgent;
  }

  /** Tasks waiting in the queue, any priority. */
  async queued(): Promise<number> {
    return (await this.store.queueFigures()).queuedByPriority.reduce((sum, depth) => sum + depth, 0);
  }

  /** Stores a task as the result-store does on submission. */
  async submit(overrides: Partial<Task> = {}): Promise<Task> {
    const task = buildTask(overrides);
    await this.store.createTask(task);
    this.relay.kick();
    return task;
  }

  /** Cancels a task as the result-store does (its own `cancelled` event, no token needed). */
  async cancel(taskId: string, reason = 'cancelled by client'): Promise<void> {
    const task = await this.store.getTask(taskId);
    if (!task) throw new Error(`no task ${taskId}`);
    const at = new Date().toISOString();
    await this.store.applyEvents([
      { eventId: randomUUID(), taskId, attempt: task.attempt, at, type: 'cancelled', reason },
    ]);
    this.relay.kick();
  }

  /** Re-drives a dead-lettered task as the result-store does (queued in a new attempt). */
  async redrive(taskId: string): Promise<void> {
    const task = await this.store.getTask(taskId);
    if (!task) throw new Error(`no task ${taskId}`);
    const at = new Date().toISOString();
    await this.store.applyEvents([
      { eventId: randomUUID(), taskId, attempt: task.attempt + 1, at, type: 'queued', reason: 're-driven' },
    ]);
    this.relay.kick();
  }

  /** Every recorded task event of `taskId` (of `type`, when given), in publish order. */
  eventsOf<T extends TaskEventType>(taskId: string, type?: T): Array<TaskEventOf<T>> {
    return this.allEvents().filter(
      (event): event is TaskEventOf<T> =>
        event.taskId === taskId && (type === undefined || event.type === type),
    );
  }

  /** Resolves with the first recorded event of `taskId` and `type` that satisfies `match`. */
  async event<T extends TaskEventType>(
    taskId: string,
    type: T,
    match: (event: TaskEventOf<T>) => boolean = () => true,
    timeoutMs = WAIT_MS,
  ): Promise<TaskEventOf<T>> {
    const find = () => this.eventsOf(taskId, type).find(match);
    await this.events.until(() => find() !== undefined, timeoutMs, `a ${type} event of task ${taskId}`);
    return find() as TaskEventOf<T>;
  }

  /** Every recorded message that is a task event (parsed once, in arrival order). */
  allEvents(): TaskEvent[] {
    const fresh = this.events.received.slice(this.parsedCount);
    this.parsedCount = this.events.received.length;
    this.parsed.push(...taskEvents(fresh));
    return this.parsed;
  }

  /** The waiting reason the scheduler gives a task no healthy agent can run. */
  waiting(taskId: string): Promise<TaskEventOf<'queued'>> {
    return this.event(taskId, 'queued', (event) => event.reason?.includes('no healthy agent runs') === true);
  }
}

/** The applied events the recorded task changes carry, in arrival (so per task, seq) order. */
function taskEvents(messages: readonly BusMessage[]): TaskEvent[] {
  return messages.flatMap((message) => {
    const parsed = TaskChangedMessageSchema.safeParse(message.value);
    return parsed.success ? [parsed.data.event] : [];
  });
}
