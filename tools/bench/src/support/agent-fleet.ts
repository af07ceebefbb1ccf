import { waitFor } from '@contextforge/testing';
import { startBenchCluster, type BenchCluster } from './cluster';

export interface AgentFleetOptions {
  /** Repository root (apps run from `<rootDir>/dist/apps`, built by `npm run bench`). */
  rootDir: string;
  /** Agents started with the control plane. */
  agents: number;
  /** Agents the fleet may grow to with addAgents (default `agents`). */
  maxAgents?: number;
  /** Variables for every app process, applied last (e.g. CONTEXTFORGE__AGENT__CONCURRENCY). */
  env?: Record<string, string>;
  /** Longest wait for the agents to be listed healthy (default 120 s). */
  agentsHealthyTimeoutMs?: number;
}

/**
 * The bench cluster (support/cluster.ts) with an agent fleet that grows: `agent-1` ... `agent-N`
 * start with it, more on addAgents. Every start waits until the registry lists all started
 * agents healthy, so a measurement begins with the whole fleet routable.
 */
export interface AgentFleet {
  cluster: BenchCluster;
  /** Names (also agent ids) of the agents started so far. */
  agentNames(): string[];
  /** Starts `count` more agents and resolves once the registry lists every agent healthy. */
  addAgents(count: number): Promise<void>;
}

export async function startAgentFleet(options: AgentFleetOptions): Promise<AgentFleet> {
  const cluster = await startBenchCluster({
    rootDir: options.rootDir,
    agents: Math.max(options.agents, options.maxAgents ?? options.agents),
    initialAgents: options.agents,
    ...(options.env ? { env: options.env } : {}),
  });
  let started = options.agents;
  const agentNames = () => cluster.agentNames.slice(0, started);
  const untilHealthy = async () => {
    const names = new Set(agentNames());
    await waitFor(
      async () => {
        const agents = await cluster.client.listAgents();
        return (
          agents.filter((agent) => names.has(agent.id) && agent.status === 'healthy').length === names.size
        );
      },
      {
        timeoutMs: options.agentsHealthyTimeoutMs ?? 120_000,
        intervalMs: 100,
        label: `${names.size} agents to be listed healthy (logs in ${cluster.processes.logDir})`,
      },
    );
  };
  try {
    await untilHealthy();
  } catch (error) {
    await cluster.stop({ keepFiles: true });
    throw error;
  }
  return {
    cluster,
    agentNames,
    addAgents: async (count) => {
      await cluster.startAgents(count);
      started += count;
      await untilHealthy();
    },
  };
}

/**
 * Runs `measure` on a fresh fleet and stops it after; on failure the process logs are kept and
 * their directory is logged.
 */
export async function withAgentFleet<T>(
  options: AgentFleetOptions,
  log: (line: string) => void,
  measure: (fleet: AgentFleet) => Promise<T>,
): Promise<T> {
  const fleet = await startAgentFleet(options);
  try {
    const result = await measure(fleet);
    await fleet.cluster.stop();
    return result;
  } catch (error) {
    await fleet.cluster.stop({ keepFiles: true });
    log(`process logs kept in ${fleet.cluster.processes.logDir}`);
    throw error;
  }
}
