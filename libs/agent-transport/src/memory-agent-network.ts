import { AppError, AssignmentSchema, parseOrThrow } from '@contextforge/contracts';
import type { AgentEndpoint, AgentLoad, AgentTransport, Assignment } from '@contextforge/contracts';

/**
 * In-process agent transport for the embedded mode and service tests: agents `listen` on a
 * `memory://name` endpoint and the scheduler dispatches to them through the same AgentTransport
 * interface the HTTP adapter implements. Calls are asynchronous (a microtask hop) like a network,
 * and an assignment arrives as a validated copy, as it would over HTTP (never the sender's object).
 * Left out: CallOptions.signal (an in-process call has nothing to time out).
 */
export class MemoryAgentNetwork implements AgentTransport {
  private readonly endpoints = new Map<string, AgentEndpoint>();

  listen(endpoint: string, agent: AgentEndpoint): { close(): Promise<void> } {
    if (this.endpoints.has(endpoint)) throw new Error(`memory endpoint ${endpoint} is already in use`);
    this.endpoints.set(endpoint, agent);
    return {
      close: async () => {
        if (this.endpoints.get(endpoint) === agent) this.endpoints.delete(endpoint);
      },
    };
  }

  async dispatch(endpoint: string, assignment: Assignment): Promise<void> {
    const agent = this.resolve(endpoint);
    await agent.accept(parseOrThrow(AssignmentSchema, structuredClone(assignment), 'assignment'));
  }

  async cancel(endpoint: string, taskId: string, attempt: number, reason: string): Promise<void> {
    await this.endpoints.get(endpoint)?.cancel(taskId, attempt, reason);
  }

  async ping(endpoint: string): Promise<AgentLoad> {
    return this.resolve(endpoint).load();
  }

  private resolve(endpoint: string): AgentEndpoint {
    const agent = this.endpoints.get(endpoint);
    if (!agent) throw new AppError('AGENT_UNREACHABLE', `no agent listens on ${endpoint}`);
    return agent;
  }
}
