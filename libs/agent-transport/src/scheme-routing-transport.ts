import {
  AppError,
  type AgentLoad,
  type AgentTransport,
  type Assignment,
  type CallOptions,
} from '@contextforge/contracts';
import { HttpAgentTransport } from './http-agent-transport';
import type { MemoryAgentNetwork } from './memory-agent-network';

/**
 * Routes each call by the endpoint's scheme: memory:// to the in-process network (when one is
 * given), http(s):// to the HTTP transport. Lets one scheduler reach local and remote agents.
 */
export class SchemeRoutingTransport implements AgentTransport {
  /** `http` defaults to a plain HttpAgentTransport; pass one with `tls` for mTLS to agents. */
  constructor(
    private readonly memory?: MemoryAgentNetwork,
    private readonly http: AgentTransport = new HttpAgentTransport(),
  ) {}

  // async: a missing memory network is a rejected promise like every other transport failure.
  async dispatch(endpoint: string, assignment: Assignment, options?: CallOptions): Promise<void> {
    return this.pick(endpoint).dispatch(endpoint, assignment, options);
  }

  async cancel(
    endpoint: string,
    taskId: string,
    attempt: number,
    reason: string,
    options?: CallOptions,
  ): Promise<void> {
    return this.pick(endpoint).cancel(endpoint, taskId, attempt, reason, options);
  }

  async ping(endpoint: string, options?: CallOptions): Promise<AgentLoad> {
    return this.pick(endpoint).ping(endpoint, options);
  }

  private pick(endpoint: string): AgentTransport {
    if (endpoint.startsWith('memory://')) {
      if (!this.memory)
        throw new AppError(
          'AGENT_UNREACHABLE',
          `${endpoint} is in-process but this scheduler has no local agents`,
        );
      return this.memory;
    }
    return this.http;
  }
}
