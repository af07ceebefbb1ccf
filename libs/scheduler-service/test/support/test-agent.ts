import {
  AgentRegistrationSchema,
  type AgentEndpoint,
  type AgentLoad,
  type AgentRegistration,
  type AgentRegistrationInput,
  type Assignment,
  type MessageBus,
  type SerializedError,
  type TaskEvent,
  type TopicNames,
} from '@contextforge/contracts';
import { withTimeout } from '@contextforge/testing';
import { randomUUID } from 'node:crypto';

/** What the agent does with an attempt it accepted. */
export type Reply = 'hold' | 'succeed' | { fail: SerializedError };

export interface TestAgentOptions extends Partial<AgentRegistrationInput> {
  id: string;
  /** Default 'hold': the attempt runs until the test settles it. */
  reply?: Reply | ((assignment: Assignment) => Reply);
  /** Runs before an attempt is accepted; throwing refuses the dispatch (e.g. AGENT_AT_CAPACITY). */
  admit?: (assignment: Assignment, agent: TestAgent) => void | Promise<void>;
}

export interface CancelRequest {
  taskId: string;
  attempt: number;
  reason: string;
  /** Whether the attempt was running here when the request came. */
  wasRunning: boolean;
}

/**
 * A scripted agent for scheduler tests: it serves the AgentEndpoint interface (on a
 * MemoryAgentNetwork) and reports outcomes as task events on the bus, as a real agent runtime does.
 * It never refuses on its own: a scheduler that sent more than `concurrency` shows up in
 * `maxRunning`. Everything it is asked is recorded, and `until` awaits a condition on that record.
 */
export class TestAgent implements AgentEndpoint {
  readonly registration: AgentRegistration;
  readonly accepted: Assignment[] = [];
  readonly refused: Array<{ assignment: Assignment; at: number }> = [];
  readonly cancels: CancelRequest[] = [];
  readonly running = new Map<string, Assignment>();
  maxRunning = 0;
  reply: NonNullable<TestAgentOptions['reply']>;
  private readonly admit: TestAgentOptions['admit'];
  private waiters: Array<{ predicate: () => boolean; resolve: () => void }> = [];

  constructor(
    options: TestAgentOptions,
    private readonly bus: MessageBus,
    private readonly topics: TopicNames,
  ) {
    const { reply, admit, ...registration } = options;
    this.registration = AgentRegistrationSchema.parse({
      name: `test agent ${options.id}`,
      type: 'test-agent',
      taskTypes: ['analyze.file'],
      capabilities: ['typescript'],
      endpoint: `memory://${options.id}`,
      ...registration,
    });
    this.reply = reply ?? 'hold';
    this.admit = admit;
  }

  get id(): string {
    return this.registration.id;
  }

  async accept(assignment: Assignment): Promise<void> {
    try {
      await this.admit?.(assignment, this);
    } catch (error) {
      this.refused.push({ assignment, at: performance.now() });
      this.changed();
      throw error;
    }
    this.running.set(assignment.task.id, assignment);
    this.maxRunning = Math.max(this.maxRunning, this.running.size);
    this.accepted.push(assignment);
    await this.publish({ ...this.base(assignment), type: 'started', agentId: this.id });
    this.changed();
    const reply = typeof this.reply === 'function' ? this.reply(assignment) : this.reply;
    if (reply === 'hold') return;
    // Reported on a later turn, as a real handler would, after the accept has been answered.
    setImmediate(() => {
      const settled =
        reply === 'succeed' ? this.succeed(assignment.task.id) : this.fail(assignment.task.id, reply.fail);
      settled.catch(() => undefined);
    });
  }

  async cancel(taskId: string, attempt: number, reason: string): Promise<void> {
    const run = this.running.get(taskId);
    const wasRunning = run?.attempt === attempt;
    this.cancels.push({ taskId, attempt, reason, wasRunning });
    if (run && wasRunning) {
      this.running.delete(taskId);
      await this.publish({ ...this.base(run), type: 'cancelled', reason });
    }
    this.changed();
  }

  load(): AgentLoad {
    return {
      agentId: this.id,
      inFlight: this.running.size,
      concurrency: this.registration.concurrency,
      draining: false,
    };
  }

  /** Reports success of the attempt running `taskId`. */
  async succeed(taskId: string, output: unknown = { ok: true }): Promise<void> {
    const run = this.take(taskId);
    await this.publish({ ...this.base(run), type: 'succeeded', agentId: this.id, output, durationMs: 1 });
  }

  async fail(taskId: string, error: SerializedError): Promise<void> {
    const run = this.take(taskId);
    await this.publish({ ...this.base(run), type: 'failed', agentId: this.id, error });
  }

  /** Resolves once `predicate` holds over what the agent recorded. */
  until(predicate: () => boolean, label: string, timeoutMs = 5_000): Promise<void> {
    if (predicate()) return Promise.resolve();
    const done = new Promise<void>((resolve) => this.waiters.push({ predicate, resolve }));
    return withTimeout(done, timeoutMs, `${this.id}: ${label}`);
  }

  acceptedTaskIds(): string[] {
    return this.accepted.map((assignment) => assignment.task.id);
  }

  private take(taskId: string): Assignment {
    const run = this.running.get(taskId);
    if (!run) throw new Error(`${this.id} runs no task ${taskId}`);
    this.running.delete(taskId);
    this.changed();
    return run;
  }

  private changed(): void {
    this.waiters = this.waiters.filter((waiter) => {
      if (!waiter.predicate()) return true;
      waiter.resolve();
      return false;
    });
  }

  private base(assignment: Assignment) {
    return {
      eventId: randomUUID(),
      taskId: assignment.task.id,
      attempt: assignment.attempt,
      token: assignment.token,
      at: new Date().toISOString(),
    };
  }

  private async publish(event: TaskEvent): Promise<void> {
    await this.bus.publish(this.topics.taskEvents, [{ key: event.taskId, value: event }]);
  }
}
