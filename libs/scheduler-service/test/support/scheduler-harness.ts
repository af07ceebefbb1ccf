import { MemoryAgentNetwork } from '@contextforge/agent-transport';
import {
  TaskEventSchema,
  topicNames,
  type BusMessage,
  type Subscription,
  type Task,
  type TaskControlMessage,
  type TaskEvent,
  type TaskEventOf,
  type TaskEventType,
  type TopicNames,
} from '@contextforge/contracts';
import { MemoryDiscovery } from '@contextforge/discovery';
import { MemoryMessageBus } from '@contextforge/messaging';
import { createSilentLogger } from '@contextforge/observability';
import { MessageRecorder, buildTask, uniqueName } from '@contextforge/testing';
import { Scheduler, type SchedulerOptions } from '../../src/scheduler';
import { TestAgent, type TestAgentOptions } from './test-agent';

export interface HarnessOptions extends Partial<
  Pick<SchedulerOptions, 'strategy' | 'retry' | 'agentPauseMs' | 'timeoutGraceMs' | 'fallback'>
> {
  /** Discovery TTL; agents heartbeat at a quarter of it. Default 30 s (no expiry within a test). */
  ttlMs?: number;
  /** Leave the scheduler unstarted, so a test can set things up before it sees them. */
  deferStart?: boolean;
}

const WAIT_MS = 5_000;

/**
 * A scheduler built with in-memory adapters (bus, discovery, agent network) in its own topic
 * namespace, plus an observer group on the task-events topic that records everything published
 * there (by the scheduler and by the test agents).
 */
export class SchedulerHarness {
  readonly bus = new MemoryMessageBus({ retry: { maxRetries: 1, initialDelayMs: 1, maxDelayMs: 5 } });
  readonly discovery: MemoryDiscovery;
  readonly network = new MemoryAgentNetwork();
  readonly topics: TopicNames = topicNames(uniqueName('sched'));
  readonly scheduler: Scheduler;
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
    this.scheduler = new Scheduler({
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
    harness.subscriptions.push(
      await harness.bus.subscribe({
        topic: harness.topics.taskEvents,
        group: 'test-observer',
        handler: harness.events.handler,
      }),
    );
    if (!options.deferStart) await harness.scheduler.start();
    return harness;
  }

  async stop(): Promise<void> {
    for (const timer of this.heartbeats.values()) clearInterval(timer);
    await this.scheduler.stop();
    await Promise.all(this.subscriptions.map((subscription) => subscription.close()));
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

  async submit(overrides: Partial<Task> = {}): Promise<Task> {
    const task = buildTask(overrides);
    await this.bus.publish(this.topics.tasksSubmitted, [{ key: task.id, value: { task } }]);
    return task;
  }

  async control(message: TaskControlMessage): Promise<void> {
    const key = message.action === 'cancel' ? message.taskId : message.task.id;
    await this.bus.publish(this.topics.taskControl, [{ key, value: message }]);
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

  /** The waiting reason the scheduler publishes for a task no healthy agent can run. */
  waiting(taskId: string): Promise<TaskEventOf<'queued'>> {
    return this.event(taskId, 'queued', (event) => event.reason?.includes('no healthy agent runs') === true);
  }
}

function taskEvents(messages: readonly BusMessage[]): TaskEvent[] {
  return messages.flatMap((message) => {
    const parsed = TaskEventSchema.safeParse(message.value);
    return parsed.success ? [parsed.data] : [];
  });
}
