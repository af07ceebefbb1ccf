import type { AgentRegistration } from '../agent';

/**
 * The discovery port: which agents exist and whether they are healthy.
 *
 * An agent registers itself and then heartbeats; the adapter marks it critical when no heartbeat
 * arrived within the TTL (measured on the discovery side's clock, never the agent's) and removes
 * it after `deregisterCriticalAfterMs` in that state. An agent that is shutting down reports
 * `warning` (draining). Adapters: memory (embedded, tests) and Consul (a service instance with a
 * TTL check per agent).
 *
 * Left out: service discovery of the platform's own services (Kubernetes Services do that) and
 * active health checks (the registry service runs those and reports through `heartbeat`'s status).
 */
export type HealthState = 'passing' | 'warning' | 'critical';

export interface AgentInstance {
  registration: AgentRegistration;
  health: HealthState;
  /** Why the state is what it is (a check output, "draining", "TTL expired"). */
  note?: string;
  /** Milliseconds since the last heartbeat on the discovery side's clock, when it knows. */
  lastHeartbeatAgeMs: number | null;
}

export interface ListAgentsFilter {
  /** Only agents whose health is passing. */
  healthyOnly?: boolean;
  /** Only agents having every one of these capabilities. */
  capabilities?: readonly string[];
  /** Only agents running this task type. */
  taskType?: string;
}

export interface WatchHandle {
  close(): void;
}

export interface Discovery {
  connect(): Promise<void>;
  /** Idempotent: registering again replaces the registration and counts as a heartbeat. */
  register(registration: AgentRegistration): Promise<void>;
  deregister(agentId: string): Promise<void>;
  /** Refreshes the TTL. Throws AGENT_NOT_FOUND if the agent is not registered (re-register then). */
  heartbeat(agentId: string, state?: HealthState, note?: string): Promise<void>;
  list(filter?: ListAgentsFilter): Promise<AgentInstance[]>;
  /**
   * Calls `listener` with the full list now and after every change (registration, health change,
   * removal). Delivery may coalesce several changes into one call.
   */
  watch(listener: (agents: AgentInstance[]) => void): WatchHandle;
  close(): Promise<void>;
}
