import {
  AgentRegistrationSchema,
  TaskEventSchema,
  topicNames,
  type Assignment,
  type PayloadStore,
  type Task,
  type TaskEvent,
  type TaskEventOf,
  type TaskEventType,
  type TopicNames,
} from '@contextforge/contracts';
import { MemoryAgentNetwork } from '@contextforge/agent-transport';
import { MemoryDiscovery } from '@contextforge/discovery';
import { createSilentLogger } from '@contextforge/observability';
import { MessageRecorder, buildTask, uniqueName } from '@contextforge/testing';
import type { BusMessage, Subscription } from '@contextforge/contracts';
import { AgentRuntime, type AgentTypeDefinition } from '../../src';
import { RecordingBus } from './recording-bus';

export interface AgentHarnessOptions {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  agentTypes: ReadonlyArray<AgentTypeDefinition<any, any>>;
  concurrency?: number;
  capabilities?: string[];
  /** Default one minute: no heartbeat during a test unless it asks for one. */
  heartbeatIntervalMs?: number;
  drainTimeoutMs?: number;
  /** A discovery to use (e.g. with a manual clock); it must be connected. */
  discovery?: MemoryDiscovery;
  payloadStore?: PayloadStore;
  inlineLimitBytes?: number;
}

/**
 * One AgentRuntime wired to the real in-memory adapters (bus, discovery, agent network) in a
 * fresh topic namespace, with a consumer recording the task-events topic.
 */
export class AgentHarness {
  readonly topics: TopicNames;
  readonly agentId: string;
  readonly endpoint: string;
  readonly runtime: AgentRuntime;
  readonly recorder = new MessageRecorder();
  private subscription: Subscription | undefined;

  private constructor(
    readonly bus: RecordingBus,
    readonly discovery: MemoryDiscovery,
    readonly network: MemoryAgentNetwork,
    options: AgentHarnessOptions,
  ) {
    this.topics = topicNames(uniqueName('agent-sdk'));
    this.agentId = uniqueName('agent');
    this.endpoint = `memory://${this.agentId}`;
    this.runtime = new AgentRuntime({
      registration: AgentRegistrationSchema.omit({ taskTypes: true }).parse({
        id: this.agentId,
        name: 'Test agent',
        type: 'test-agent',
        capabilities: options.capabilities ?? [],
        endpoint: this.endpoint,
        concurrency: options.concurrency ?? 4,
      }),
      agentTypes: options.agentTypes,
      bus,
      discovery,
      topics: this.topics,
      logger: createSilentLogger(),
      listen: async (endpoint) => network.listen(this.endpoint, endpoint),
      heartbeatIntervalMs: options.heartbeatIntervalMs ?? 60_000,
      drainTimeoutMs: options.drainTimeoutMs ?? 1_000,
      ...(options.payloadStore ? { payloadStore: options.payloadStore } : {}),
      ...(options.inlineLimitBytes === undefined ? {} : { inlineLimitBytes: options.inlineLimitBytes }),
    });
  }

  /** Builds the adapters and the runtime; `start` false leaves the runtime unstarted. */
  static async create(options: AgentHarnessOptions, start = true): Promise<AgentHarness> {
    const bus = new RecordingBus();
    await bus.connect();
    const discovery = options.discovery ?? new MemoryDiscovery();
    if (!options.discovery) await discovery.connect();
    const harness = new AgentHarness(bus, discovery, new MemoryAgentNetwork(), options);
    harness.subscription = await bus.subscribe({
      topic: harness.topics.taskEvents,
      group: uniqueName('recorder'),
      handler: harness.recorder.handler,
    });
    if (start) await harness.runtime.start();
    return harness;
  }

  /** A valid task for `type`; fields may be overridden. */
  task(type: string, overrides: Partial<Task> = {}): Task {
    return buildTask({ type, requiredCapabilities: [], ...overrides });
  }

  /** Dispatches through the memory network, as the scheduler does. */
  dispatch(task: Task, attempt = 1, traceparent?: string): Promise<void> {
    const assignment: Assignment = {
      task,
      attempt,
      token: `token-${attempt}`,
      ...(traceparent ? { traceparent } : {}),
    };
    return this.network.dispatch(this.endpoint, assignment);
  }

  /** The task events received for `taskId`, validated against the contract schema. */
  eventsOf(taskId: string): TaskEvent[] {
    return this.messagesOf(taskId).map((message) => TaskEventSchema.parse(message.value));
  }

  messagesOf(taskId: string): BusMessage[] {
    return this.recorder.received.filter((message) => message.key === taskId);
  }

  /** Resolves with the first event of `type` for `taskId` once the recorder has it. */
  async until<T extends TaskEventType>(taskId: string, type: T, timeoutMs = 5_000): Promise<TaskEventOf<T>> {
    const find = () => this.eventsOf(taskId).find((event) => event.type === type);
    await this.recorder.until(() => find() !== undefined, timeoutMs, `a ${type} event of task ${taskId}`);
    return find() as TaskEventOf<T>;
  }

  /** The event types published for `taskId` so far (publish order, straight from the bus record). */
  publishedTypes(taskId: string): string[] {
    return this.bus
      .attempted(this.topics.taskEvents)
      .map((value) => TaskEventSchema.parse(value))
      .filter((event) => event.taskId === taskId)
      .map((event) => event.type);
  }

  async close(): Promise<void> {
    this.bus.failures = 0;
    await this.runtime.stop();
    await this.subscription?.close();
    await this.bus.close();
    await this.discovery.close();
  }
}
