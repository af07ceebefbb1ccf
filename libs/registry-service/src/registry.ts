import {
  AgentCircuitEventSchema,
  AgentRegistrationSchema,
  AppError,
  parseOrThrow,
  type Agent,
  type AgentInstance,
  type AgentRegistration,
  type CircuitState,
  type Subscription,
  type AgentStatus,
  type AgentStatusEvent,
  type Discovery,
  type MessageBus,
  type RegistryApi,
  type TopicNames,
  type WatchHandle,
} from '@contextforge/contracts';
import { randomUUID } from 'node:crypto';
import { AGENT_STATUS_LABELS, type Logger, type MetricsRegistry } from '@contextforge/observability';

export interface RegistryOptions {
  discovery: Discovery;
  bus: MessageBus;
  topics: TopicNames;
  logger: Logger;
  /** Prometheus metrics: agents by status (healthy, draining, unhealthy), read at every scrape. */
  metrics?: MetricsRegistry;
}

export function agentStatusOf(instance: AgentInstance): AgentStatus {
  switch (instance.health) {
    case 'passing':
      return 'healthy';
    case 'warning':
      return 'draining';
    case 'critical':
      return 'unhealthy';
  }
}

export function toAgent(instance: AgentInstance, circuit: CircuitState = 'closed'): Agent {
  return {
    ...instance.registration,
    status: agentStatusOf(instance),
    circuit,
    lastHeartbeatAgeMs: instance.lastHeartbeatAgeMs === null ? null : Math.round(instance.lastHeartbeatAgeMs),
    ...(instance.note ? { statusNote: instance.note } : {}),
  };
}

/**
 * The registry service: the read side of discovery for the API, and the source of agent status
 * events (published on the agent-status topic whenever an agent appears, changes or leaves).
 */
export class Registry implements RegistryApi {
  private watch: WatchHandle | undefined;
  private readonly known = new Map<string, AgentStatus>();
  private readonly circuits = new Map<string, CircuitState>();
  private circuitSubscription: Subscription | undefined;

  constructor(private readonly options: RegistryOptions) {
    const metrics = options.metrics;
    metrics?.onScrape(async () => {
      const counts = new Map<string, number>(AGENT_STATUS_LABELS.map((status) => [status, 0]));
      for (const instance of await options.discovery.list()) {
        const status = agentStatusOf(instance);
        counts.set(status, (counts.get(status) ?? 0) + 1);
      }
      for (const [status, count] of counts) metrics.agents.set({ status }, count);
    });
  }

  /**
   * Follows the scheduler's breaker states so that agent reads show them. Every replica does this,
   * in a consumer group of its own (each needs every event).
   */
  async trackCircuits(): Promise<void> {
    this.circuitSubscription = await this.options.bus.subscribe({
      topic: this.options.topics.agentCircuits,
      group: `registry-${randomUUID()}`,
      handler: async (messages) => {
        for (const message of messages) {
          const event = parseOrThrow(
            AgentCircuitEventSchema,
            message.value,
            'agent circuit event',
            'INVALID_MESSAGE',
          );
          this.circuits.set(event.agentId, event.circuit);
        }
      },
    });
  }

  async stopTrackingCircuits(): Promise<void> {
    await this.circuitSubscription?.close();
  }

  async start(): Promise<void> {
    this.watch = this.options.discovery.watch((instances) => void this.onAgents(instances));
  }

  async stop(): Promise<void> {
    this.watch?.close();
  }

  async listAgents(): Promise<Agent[]> {
    const instances = await this.options.discovery.list();
    return instances
      .map((instance) => toAgent(instance, this.circuits.get(instance.registration.id)))
      .sort((a, b) => a.id.localeCompare(b.id));
  }

  async getAgent(id: string): Promise<Agent | undefined> {
    return (await this.listAgents()).find((agent) => agent.id === id);
  }

  /**
   * Registers an agent on its behalf (agents that register through the gateway). Validated here
   * too, because the registration may come over the network from any replica.
   */
  async register(registration: AgentRegistration): Promise<Agent> {
    const parsed = parseOrThrow(AgentRegistrationSchema, registration, 'agent registration');
    await this.options.discovery.register(parsed);
    const agent = await this.getAgent(parsed.id);
    // Listed at once by every adapter; the fallback covers one removed again in between.
    return agent ?? { ...parsed, status: 'healthy', circuit: 'closed', lastHeartbeatAgeMs: 0 };
  }

  async heartbeat(agentId: string): Promise<void> {
    await this.options.discovery.heartbeat(agentId, 'passing');
  }

  /** Throws AGENT_NOT_FOUND for an agent that is not registered (discovery itself is idempotent). */
  async deregister(agentId: string): Promise<void> {
    const instances = await this.options.discovery.list();
    if (!instances.some((instance) => instance.registration.id === agentId)) {
      throw new AppError('AGENT_NOT_FOUND', `agent ${agentId} is not registered`, { details: { agentId } });
    }
    await this.options.discovery.deregister(agentId);
  }

  private async onAgents(instances: AgentInstance[]): Promise<void> {
    const events: AgentStatusEvent[] = [];
    const at = new Date().toISOString();
    const present = new Set<string>();
    for (const instance of instances) {
      const agent = toAgent(instance);
      present.add(agent.id);
      const previous = this.known.get(agent.id);
      if (previous === agent.status) continue;
      this.known.set(agent.id, agent.status);
      events.push({ agentId: agent.id, status: agent.status, previous: previous ?? 'unknown', at, agent });
    }
    for (const [id, previous] of this.known) {
      if (present.has(id)) continue;
      this.known.delete(id);
      events.push({ agentId: id, status: 'deregistered', previous, at });
    }
    if (events.length === 0) return;
    try {
      await this.options.bus.publish(
        this.options.topics.agentStatus,
        events.map((event) => ({ key: event.agentId, value: event })),
      );
    } catch (error) {
      this.options.logger.warn({ err: String(error) }, 'publishing agent status events failed');
    }
  }
}
