import type { Task } from '../task';

/**
 * The direct-dispatch port between the scheduler and agents (request/response).
 *
 * `dispatch` resolves when the agent has accepted the attempt; the outcome arrives later as task
 * events on the bus. It rejects with AGENT_AT_CAPACITY (back-pressure), AGENT_DRAINING,
 * AGENT_UNREACHABLE or UNKNOWN_TASK_TYPE. Adapters: memory (in-process agents, endpoint
 * `memory://name`) and HTTP (`http(s)://`), chosen by the endpoint's scheme.
 */
export interface Assignment {
  task: Task;
  attempt: number;
  /**
   * The attempt's fencing token: every event the agent reports for this attempt carries it, and
   * the store refuses the attempt's events without it.
   */
  token: string;
  /** W3C trace context of the dispatch. */
  traceparent?: string;
}

export interface AgentLoad {
  agentId: string;
  inFlight: number;
  concurrency: number;
  draining: boolean;
}

export interface CallOptions {
  signal?: AbortSignal;
}

export interface AgentTransport {
  dispatch(endpoint: string, assignment: Assignment, options?: CallOptions): Promise<void>;
  /** Asks the agent to abort an attempt; resolves even if the agent no longer runs it. */
  cancel(
    endpoint: string,
    taskId: string,
    attempt: number,
    reason: string,
    options?: CallOptions,
  ): Promise<void>;
  /** Active health check. */
  ping(endpoint: string, options?: CallOptions): Promise<AgentLoad>;
}

/** What an agent exposes to transports (the server side). */
export interface AgentEndpoint {
  accept(assignment: Assignment): Promise<void>;
  cancel(taskId: string, attempt: number, reason: string): Promise<void>;
  load(): AgentLoad;
}
