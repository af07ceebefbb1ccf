import { randomUUID } from 'node:crypto';
import {
  AgentCircuitEventSchema,
  AgentStatusEventSchema,
  TaskChangedMessageSchema,
  type AgentCircuitEvent,
  type AgentStatusEvent,
  type BusMessage,
  type MessageBus,
  type Principal,
  type Subscription,
  type TaskChangedMessage,
  type TaskMetrics,
  type TopicNames,
} from '@contextforge/contracts';
import type { Logger } from '@contextforge/observability';
import type { z } from 'zod';
import type { AgentMetrics, GatewayOperations } from '../operations';
import { SequencedRing, type Sequenced, type SequencedRingOptions } from './sequenced-ring';

/** One change on /agents/stream: a status change from the registry or a breaker change from the scheduler. */
export type AgentFeedEvent =
  { kind: 'status'; event: AgentStatusEvent } | { kind: 'circuit'; event: AgentCircuitEvent };

/** One tick of /metrics/stream. */
export interface MetricsSnapshot {
  agents: AgentMetrics;
  tasks: TaskMetrics;
}

export interface StreamHubOptions {
  bus: MessageBus;
  topics: Pick<TopicNames, 'taskChanges' | 'agentStatus' | 'agentCircuits'>;
  operations: Pick<GatewayOperations, 'agentMetrics' | 'taskMetrics'>;
  logger: Logger;
  /** Metrics tick period (default 2,000 ms); the ticker runs only while someone watches. */
  metricsIntervalMs?: number;
  /** Retention of the agents and metrics streams (default: last 1000 events, at most 5 minutes). */
  retention?: SequencedRingOptions;
}

export interface StreamHubStats {
  epoch: string;
  taskWatchers: number;
  agentWatchers: number;
  metricsWatchers: number;
  /** Bus messages dropped because they did not match their schema. */
  invalidMessages: number;
  agentSeq: number;
  metricsSeq: number;
}

/** The ticker computes metrics as this internal admin (it needs every agent's and task's figures). */
export const STREAM_HUB_PRINCIPAL: Principal = {
  kind: 'client',
  id: 'internal:stream-hub',
  roles: ['admin'],
};

type Listener<T> = (value: T) => void;

/**
 * The live side of the gateway's streams, one per gateway replica. It consumes, each in a
 * consumer group of its own starting at the latest offset (so every replica sees every change):
 * task changes (fanned out to the watchers of each task id), agent status and circuit events
 * (numbered in the agents ring) and, while anyone watches, computes a metrics snapshot every
 * interval (numbered in the metrics ring). Every bus message is validated; an invalid one is
 * logged and dropped, never redelivered or fatal.
 *
 * `epoch` is random per hub: agents and metrics seqs are only meaningful within it.
 * Listeners run synchronously inside the bus handler and must not throw or block.
 */
export class StreamHub {
  readonly epoch = randomUUID();
  readonly agents: SequencedRing<AgentFeedEvent>;
  readonly metrics: SequencedRing<MetricsSnapshot>;
  private readonly taskWatchers = new Map<string, Set<Listener<TaskChangedMessage>>>();
  private readonly agentWatchers = new Set<Listener<Sequenced<AgentFeedEvent>>>();
  private readonly metricsWatchers = new Set<Listener<Sequenced<MetricsSnapshot>>>();
  private readonly subscriptions: Subscription[] = [];
  private readonly metricsIntervalMs: number;
  private ticker: NodeJS.Timeout | undefined;
  private ticking = false;
  private invalid = 0;
  private closed = false;

  private constructor(private readonly options: StreamHubOptions) {
    this.agents = new SequencedRing(options.retention);
    this.metrics = new SequencedRing(options.retention);
    this.metricsIntervalMs = options.metricsIntervalMs ?? 2_000;
  }

  /** Builds the hub and joins its three subscriptions (rejects if the bus cannot). */
  static async create(options: StreamHubOptions): Promise<StreamHub> {
    const hub = new StreamHub(options);
    try {
      await hub.subscribe();
    } catch (error) {
      await hub.close();
      throw error;
    }
    return hub;
  }

  watchTask(taskId: string, listener: Listener<TaskChangedMessage>): () => void {
    let set = this.taskWatchers.get(taskId);
    if (!set) {
      set = new Set();
      this.taskWatchers.set(taskId, set);
    }
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0 && this.taskWatchers.get(taskId) === set) this.taskWatchers.delete(taskId);
    };
  }

  watchAgents(listener: Listener<Sequenced<AgentFeedEvent>>): () => void {
    this.agentWatchers.add(listener);
    return () => this.agentWatchers.delete(listener);
  }

  watchMetrics(listener: Listener<Sequenced<MetricsSnapshot>>): () => void {
    this.metricsWatchers.add(listener);
    this.ticker ??= setInterval(() => void this.tick(), this.metricsIntervalMs);
    return () => {
      this.metricsWatchers.delete(listener);
      if (this.metricsWatchers.size === 0 && this.ticker) {
        clearInterval(this.ticker);
        this.ticker = undefined;
      }
    };
  }

  /** Current metrics as `principal` sees them (the snapshot of a new metrics stream). */
  async computeMetrics(principal: Principal): Promise<MetricsSnapshot> {
    const [agents, tasks] = await Promise.all([
      this.options.operations.agentMetrics(principal),
      this.options.operations.taskMetrics(principal),
    ]);
    return { agents, tasks };
  }

  stats(): StreamHubStats {
    let taskWatchers = 0;
    for (const set of this.taskWatchers.values()) taskWatchers += set.size;
    return {
      epoch: this.epoch,
      taskWatchers,
      agentWatchers: this.agentWatchers.size,
      metricsWatchers: this.metricsWatchers.size,
      invalidMessages: this.invalid,
      agentSeq: this.agents.lastSeq,
      metricsSeq: this.metrics.lastSeq,
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.ticker) clearInterval(this.ticker);
    this.ticker = undefined;
    await Promise.all(this.subscriptions.splice(0).map((subscription) => subscription.close()));
  }

  private async subscribe(): Promise<void> {
    const { bus, topics } = this.options;
    const group = `gateway-${randomUUID()}`;
    const join = (topic: string, handle: (message: BusMessage) => void): Promise<void> =>
      bus
        .subscribe({
          topic,
          group,
          from: 'latest',
          handler: async (messages) => {
            for (const message of messages) handle(message);
          },
        })
        .then((subscription) => void this.subscriptions.push(subscription));
    await Promise.all([
      join(topics.taskChanges, (message) => {
        // Read in full only the changes someone watches (most tasks have no stream open).
        const taskId = (message.value as { task?: { id?: unknown } } | null)?.task?.id;
        if (typeof taskId === 'string' && !this.taskWatchers.has(taskId)) return;
        const change = this.parse(TaskChangedMessageSchema, message);
        if (!change) return;
        for (const listener of this.taskWatchers.get(change.task.id) ?? []) this.notify(listener, change);
      }),
      join(topics.agentStatus, (message) => {
        const event = this.parse(AgentStatusEventSchema, message);
        if (event) this.publishAgents({ kind: 'status', event });
      }),
      join(topics.agentCircuits, (message) => {
        const event = this.parse(AgentCircuitEventSchema, message);
        if (event) this.publishAgents({ kind: 'circuit', event });
      }),
    ]);
  }

  private publishAgents(data: AgentFeedEvent): void {
    const entry = this.agents.append(data);
    for (const listener of this.agentWatchers) this.notify(listener, entry);
  }

  private async tick(): Promise<void> {
    if (this.ticking || this.closed) return;
    this.ticking = true;
    try {
      const snapshot = await this.computeMetrics(STREAM_HUB_PRINCIPAL);
      if (this.closed || this.metricsWatchers.size === 0) return;
      const entry = this.metrics.append(snapshot);
      for (const listener of this.metricsWatchers) this.notify(listener, entry);
    } catch (error) {
      this.options.logger.warn(
        { error: error instanceof Error ? error.message : String(error) },
        'metrics stream tick failed',
      );
    } finally {
      this.ticking = false;
    }
  }

  private parse<S extends z.ZodType>(schema: S, message: BusMessage): z.output<S> | undefined {
    const parsed = schema.safeParse(message.value);
    if (parsed.success) return parsed.data;
    this.invalid += 1;
    this.options.logger.warn(
      {
        topic: message.topic,
        partition: message.partition,
        offset: message.offset,
        issues: parsed.error.issues.slice(0, 5).map((issue) => `${issue.path.join('.')}: ${issue.message}`),
      },
      'stream hub dropped an invalid message',
    );
    return undefined;
  }

  private notify<T>(listener: Listener<T>, value: T): void {
    try {
      listener(value);
    } catch (error) {
      this.options.logger.error(
        { error: error instanceof Error ? error.message : String(error) },
        'stream listener threw',
      );
    }
  }
}
