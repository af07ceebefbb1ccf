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
 * Each agent has two health inputs, and its health is the worst of them (as Consul computes a
 * service's health from all its checks): its own heartbeat (the TTL check above) and the registry's
 * active probe (`reportProbe`). So an agent that heartbeats but cannot be reached from the platform
 * is not healthy, and one that answers probes but stopped heartbeating is not either.
 *
 * Left out: service discovery of the platform's own services (Kubernetes Services do that), and
 * running the probes (the registry service does that and reports here through `reportProbe`).
 */
export type HealthState = 'passing' | 'warning' | 'critical';

export interface AgentInstance {
  registration: AgentRegistration;
  /** The worst of the heartbeat state and the registry's probe state. */
  health: HealthState;
  /** Why the state is what it is (the worst check's output: "draining", "TTL expired", a probe failure). */
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
  /**
   * Sets the registry's active-probe state of an agent (set only by the registry's active health
   * checks). The agent's health is the worst of this and its heartbeat state, so its own heartbeat
   * never clears a failing probe: only a later `reportProbe(id, 'passing')` does. The probe has no
   * TTL (when no registry probes, health falls back to the heartbeat alone), does not count towards
   * `deregisterCriticalAfterMs` (only the agent's own check removes it), and starts `passing` on
   * every `register`. Throws AGENT_NOT_FOUND if the agent is not registered.
   */
  reportProbe(agentId: string, state: HealthState, note?: string): Promise<void>;
  list(filter?: ListAgentsFilter): Promise<AgentInstance[]>;
  /**
   * Calls `listener` with the full list now and after every change (registration, health change,
   * removal). Delivery may coalesce several changes into one call.
   */
  watch(listener: (agents: AgentInstance[]) => void): WatchHandle;
  close(): Promise<void>;
}
