import {
  AppError,
  DEFAULT_INLINE_LIMIT_BYTES,
  exceedsInlineLimit,
  isRetryable,
  parseOrThrow,
  toSerializedError,
  type AgentEndpoint,
  type AgentLoad,
  type AgentRegistration,
  type Assignment,
  type Discovery,
  type MessageBus,
  type PayloadOwner,
  type PayloadStore,
  type TaskEvent,
  type TopicNames,
} from '@contextforge/contracts';
import { startSpanFrom, type Logger } from '@contextforge/observability';
import { retry } from '@contextforge/resilience';
import { randomUUID } from 'node:crypto';
import type { AgentTypeDefinition } from './define-agent-type';
import { EventPublisher } from './event-publisher';

export interface AgentRuntimeOptions {
  registration: Omit<AgentRegistration, 'taskTypes'>;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  agentTypes: ReadonlyArray<AgentTypeDefinition<any, any>>;
  bus: MessageBus;
  discovery: Discovery;
  topics: TopicNames;
  logger: Logger;
  /** Starts serving the agent's endpoint (memory or HTTP); returns how to stop serving. */
  listen(endpoint: AgentEndpoint): Promise<{ close(): Promise<void> }>;
  heartbeatIntervalMs: number;
  /** How long `stop()` lets in-flight tasks finish before aborting them and handing them back. */
  drainTimeoutMs: number;
  /**
   * Where outputs too large for a bus message go (payloads by reference): an output whose JSON is
   * larger than `inlineLimitBytes` is stored here under the attempt (and its token), and
   * `succeeded` carries only its id (`outputRef`). Without a store every output is published
   * inline, whatever its size.
   */
  payloadStore?: PayloadStore;
  /** Default DEFAULT_INLINE_LIMIT_BYTES (64 KiB; config `payloads.inline_limit`). */
  inlineLimitBytes?: number;
}

interface Running {
  taskId: string;
  type: string;
  attempt: number;
  controller: AbortController;
  done: Promise<void>;
}

/**
 * Runs agent types: registers with discovery, heartbeats, accepts at most `concurrency` attempts,
 * publishes started/progress/succeeded/failed/cancelled events, and drains on stop(). A large
 * output is uploaded to the payload store before `succeeded` (see AgentRuntimeOptions.payloadStore);
 * an upload that fails after retries fails the attempt with the store's error.
 */
/** The most often an attempt's progress is published (the latest value wins in between). */
export const PROGRESS_INTERVAL_MS = 250;

export class AgentRuntime implements AgentEndpoint {
  readonly registration: AgentRegistration;
  private readonly handlers: Map<string, AgentTypeDefinition<unknown, unknown>>;
  private readonly running = new Map<string, Running>();
  private readonly events: EventPublisher;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  /** The heartbeat in flight: a slow discovery skips ticks instead of piling calls up. */
  private heartbeating: Promise<void> | undefined;
  private server: { close(): Promise<void> } | undefined;
  private draining = false;
  private stopping: Promise<void> | undefined;

  constructor(private readonly options: AgentRuntimeOptions) {
    this.handlers = new Map(options.agentTypes.map((type) => [type.name, type]));
    const capabilities = new Set([
      ...options.registration.capabilities,
      ...options.agentTypes.flatMap((type) => type.capabilities ?? []),
    ]);
    this.registration = {
      instanceId: randomUUID(),
      ...options.registration,
      capabilities: [...capabilities].sort(),
      taskTypes: [...this.handlers.keys()].sort(),
      // Part of the result-cache key: a task type is cached only while its agents agree on this.
      typeVersions: Object.fromEntries(
        options.agentTypes.filter((type) => type.cacheable === true).map((type) => [type.name, type.version]),
      ),
    };
    this.events = new EventPublisher(options.bus, options.topics.taskEvents, options.logger);
  }

  get id(): string {
    return this.registration.id;
  }

  async start(): Promise<void> {
    const server = await this.options.listen(this);
    try {
      await this.options.discovery.register(this.registration);
    } catch (error) {
      // Free the endpoint (a port, a memory:// name) so that start() can be retried.
      await server.close().catch(() => undefined);
      throw error;
    }
    this.server = server;
    this.heartbeatTimer = setInterval(() => {
      this.heartbeating ??= this.heartbeat().finally(() => {
        this.heartbeating = undefined;
      });
    }, this.options.heartbeatIntervalMs);
    this.heartbeatTimer.unref();
    this.options.logger.debug({ agentId: this.id, endpoint: this.registration.endpoint }, 'agent started');
  }

  /**
   * Drains: reports `warning` (no new work), lets running attempts finish within drainTimeoutMs,
   * aborts and hands back the rest (a retryable AGENT_DRAINING failure, so they are re-dispatched
   * without counting against the task), then deregisters. Events still unsent get another
   * drainTimeoutMs (the bus may be down) before they are dropped; the scheduler then recovers those
   * attempts as AGENT_LOST once the agent is gone from discovery. Every call returns the same
   * promise, so a second caller also waits for the drain.
   */
  stop(): Promise<void> {
    this.stopping ??= this.drain();
    return this.stopping;
  }

  private async drain(): Promise<void> {
    this.draining = true;
    clearInterval(this.heartbeatTimer);
    // A `passing` heartbeat still in flight must not land after `warning`.
    await this.heartbeating;
    await this.options.discovery.heartbeat(this.id, 'warning', 'draining').catch(() => undefined);
    const all = Promise.all([...this.running.values()].map((run) => run.done));
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, this.options.drainTimeoutMs);
    });
    await Promise.race([all, expired]);
    clearTimeout(timer);
    for (const run of this.running.values()) {
      run.controller.abort(new AppError('AGENT_DRAINING', `agent ${this.id} is shutting down`));
    }
    await all;
    await this.events.flush(this.options.drainTimeoutMs);
    await this.options.discovery.deregister(this.id).catch(() => undefined);
    await this.server?.close();
    this.options.logger.debug({ agentId: this.id }, 'agent stopped');
  }

  load(): AgentLoad {
    return {
      agentId: this.id,
      inFlight: this.running.size,
      concurrency: this.registration.concurrency,
      draining: this.draining,
    };
  }

  async accept(assignment: Assignment): Promise<void> {
    if (this.draining) throw new AppError('AGENT_DRAINING', `agent ${this.id} is draining`);
    const { task, attempt } = assignment;
    const key = `${task.id}#${attempt}`;
    if (this.running.has(key)) return;
    if (this.running.size >= this.registration.concurrency) {
      throw new AppError('AGENT_AT_CAPACITY', `agent ${this.id} runs ${this.running.size} tasks`, {
        details: { concurrency: this.registration.concurrency },
      });
    }
    const type = this.handlers.get(task.type);
    if (!type) throw new AppError('UNKNOWN_TASK_TYPE', `agent ${this.id} does not run ${task.type}`);
    if (type.concurrency !== undefined) {
      const ofType = [...this.running.values()].filter((running) => running.type === task.type).length;
      if (ofType >= type.concurrency) {
        throw new AppError('AGENT_AT_CAPACITY', `agent ${this.id} runs ${ofType} ${task.type} tasks`, {
          details: { concurrency: this.registration.concurrency, typeConcurrency: type.concurrency },
        });
      }
    }
    const controller = new AbortController();
    const run: Running = { taskId: task.id, type: task.type, attempt, controller, done: Promise.resolve() };
    this.running.set(key, run);
    run.done = this.execute(type, assignment, controller).finally(() => this.running.delete(key));
  }

  async cancel(taskId: string, attempt: number, reason: string): Promise<void> {
    const run = this.running.get(`${taskId}#${attempt}`);
    run?.controller.abort(new AppError('TASK_CANCELLED', reason));
  }

  private async execute(
    type: AgentTypeDefinition<unknown, unknown>,
    { task, attempt, token, traceparent }: Assignment,
    controller: AbortController,
  ): Promise<void> {
    // Every report carries the attempt's fencing token: the store applies nothing without it.
    const base = () => ({
      eventId: randomUUID(),
      taskId: task.id,
      attempt,
      token,
      at: new Date().toISOString(),
    });
    // A child of the dispatch; with tracing off it hands the dispatch's traceparent on unchanged.
    const span = startSpanFrom(traceparent, 'agent execute', {
      kind: 'consumer',
      attributes: {
        'contextforge.task_id': task.id,
        'contextforge.task_type': task.type,
        'contextforge.attempt': attempt,
        'contextforge.agent_id': this.id,
      },
    });
    const publish = (event: TaskEvent) => this.events.publish(event, span.traceparent);
    const logger = this.options.logger.child({ agentId: this.id, taskId: task.id, attempt });
    const timeout = setTimeout(
      () =>
        controller.abort(new AppError('TASK_TIMEOUT', `task exceeded its timeout of ${task.timeoutMs} ms`)),
      task.timeoutMs,
    );
    const startedAt = performance.now();
    // The attempt ends when the handler settles or the signal aborts, whichever comes first, so a
    // handler that ignores its signal cannot hold back the outcome event or stop(); whatever it
    // does afterwards (a result, progress) is ignored.
    let settled = false;
    const aborted = new Promise<never>((_, reject) => {
      const onAbort = () => reject(controller.signal.reason);
      if (controller.signal.aborted) onAbort();
      else controller.signal.addEventListener('abort', onAbort, { once: true });
    });
    aborted.catch(() => undefined);
    // Progress goes out at most every PROGRESS_INTERVAL_MS, the latest value (a handler may report
    // per item: per file, an analysis of 20,000 files was 20,000 events through every service).
    let lastProgressAt = -Infinity;
    let pendingProgress: Extract<TaskEvent, { type: 'progress' }>['progress'] | undefined;
    let progressTimer: NodeJS.Timeout | undefined;
    const flushProgress = () => {
      progressTimer = undefined;
      if (settled || !pendingProgress) return;
      publish({ ...base(), type: 'progress', agentId: this.id, progress: pendingProgress });
      pendingProgress = undefined;
      lastProgressAt = performance.now();
    };
    const reportProgress = (progress: Extract<TaskEvent, { type: 'progress' }>['progress']) => {
      pendingProgress = progress;
      if (progressTimer) return;
      const wait = lastProgressAt + PROGRESS_INTERVAL_MS - performance.now();
      if (wait <= 0) flushProgress();
      else progressTimer = setTimeout(flushProgress, wait);
    };
    publish({ ...base(), type: 'started', agentId: this.id });
    try {
      const input = type.input ? parseOrThrow(type.input, task.input, 'task input') : task.input;
      const handling = span.run(() =>
        Promise.resolve(
          type.handler(input, {
            taskId: task.id,
            attempt,
            signal: controller.signal,
            logger,
            traceparent: span.traceparent,
            progress: (done, total, message) => {
              if (settled) return;
              reportProgress({
                done,
                ...(total === undefined ? {} : { total }),
                ...(message ? { message } : {}),
              });
            },
          }),
        ),
      );
      handling.catch(() => undefined);
      const output = (await Promise.race([handling, aborted])) ?? null;
      controller.signal.throwIfAborted();
      const durationMs = Math.round(performance.now() - startedAt);
      const carried = await this.carry(output, { taskId: task.id, attempt, token }, controller.signal);
      controller.signal.throwIfAborted();
      publish({ ...base(), type: 'succeeded', agentId: this.id, ...carried, durationMs });
      span.end();
    } catch (thrown) {
      const error = controller.signal.aborted ? controller.signal.reason : thrown;
      const serialized = toSerializedError(error, 'HANDLER_FAILED');
      if (serialized.code === 'TASK_CANCELLED') {
        publish({ ...base(), type: 'cancelled', reason: serialized.message });
      } else {
        if (serialized.code === 'VALIDATION_FAILED') serialized.retryable = false;
        serialized.retryable = serialized.retryable && isRetryable(error);
        span.run(() =>
          logger.warn({ code: serialized.code, err: serialized.message }, 'task attempt failed'),
        );
        publish({ ...base(), type: 'failed', agentId: this.id, error: serialized });
      }
      span.end(serialized);
    } finally {
      settled = true;
      clearTimeout(timeout);
      clearTimeout(progressTimer);
    }
  }

  /**
   * How `succeeded` carries the output: inline, or, when it is larger than the inline limit and
   * there is a payload store, as the id it was stored under. Transient upload failures are retried.
   */
  private async carry(
    output: unknown,
    owner: PayloadOwner,
    signal: AbortSignal,
  ): Promise<{ output: unknown } | { outputRef: string }> {
    const store = this.options.payloadStore;
    const limit = this.options.inlineLimitBytes ?? DEFAULT_INLINE_LIMIT_BYTES;
    if (!store || !exceedsInlineLimit(output, limit)) return { output };
    const ref = await retry(() => store.put(owner, output), { maxAttempts: 3, maxMs: 2_000, signal });
    return { outputRef: ref.id };
  }

  private async heartbeat(): Promise<void> {
    try {
      await this.options.discovery.heartbeat(this.id, 'passing');
    } catch (error) {
      if (error instanceof AppError && error.code === 'AGENT_NOT_FOUND' && !this.draining) {
        // The registry forgot us (expired, restarted): register again.
        await this.options.discovery.register(this.registration).catch(() => undefined);
        return;
      }
      this.options.logger.warn({ err: String(error) }, 'heartbeat failed');
    }
  }
}
