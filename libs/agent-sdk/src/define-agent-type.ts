import type { z } from 'zod';
import type { Logger } from '@contextforge/observability';

/**
 * What a handler gets besides its input. The SDK owns registration, heartbeats, concurrency,
 * draining and publishing events; a handler only computes, reports progress and honours `signal`.
 */
export interface TaskContext {
  taskId: string;
  attempt: number;
  /** Aborted on cancellation, on the task's timeout and when the agent's drain period ends. */
  signal: AbortSignal;
  logger: Logger;
  /** W3C traceparent of the dispatch, when there is one. */
  traceparent: string | undefined;
  /** Publishes a progress event; cheap to call often (events are coalesced per tick). */
  progress(done: number, total?: number, message?: string): void;
}

export interface AgentTypeDefinition<Input = unknown, Output = unknown> {
  /** The task type this agent type runs, e.g. "code-analyzer". */
  name: string;
  /** Part of the result-cache key: bump it when outputs change. */
  version: string;
  /**
   * The output is a pure function of the input (and `version`): a repeated task may be answered
   * from the result cache without running. Default false (e.g. `sleep`, or anything reading the
   * outside world).
   */
  cacheable?: boolean;
  /**
   * At most this many attempts of this type run at once on one agent (e.g. a memory-hungry
   * analyzer); more are refused with AGENT_AT_CAPACITY like work beyond the agent's own
   * `concurrency`, which also bounds them. Default: only the agent's concurrency.
   */
  concurrency?: number;
  /** Capabilities it adds to the agent that hosts it (languages, features). */
  capabilities?: readonly string[];
  /** Validates the task input; a mismatch fails the task without retries. */
  input?: z.ZodType<Input>;
  handler(input: Input, context: TaskContext): Promise<Output>;
}

/** Declares an agent type; an identity function that gives the definition its types. */
export function defineAgentType<Input, Output>(
  definition: AgentTypeDefinition<Input, Output>,
): AgentTypeDefinition<Input, Output> {
  return definition;
}
