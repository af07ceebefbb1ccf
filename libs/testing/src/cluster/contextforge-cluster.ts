import { join } from 'node:path';
import type { ProcessSpec } from './managed-process';

/** The task types the cluster's agents host. */
export const CLUSTER_AGENT_TASK_TYPES =
  'echo,sleep,license-check,code-analyzer,indexer,reviewer,repo-scan,repo-chunk';

export interface ContextForgeClusterPorts {
  gateway: number;
  registry: number;
  /**
   * The scheduler replicas' HTTP ports: one per replica, or the first one, from which the others
   * count up, skipping every port this layout gives another process (with the result-store on
   * 8084, 8083 gives 8083, 8085, 8086, ...).
   */
  scheduler: number | readonly number[];
  resultStore: number;
  /** The gateway's gRPC port (default 0: any free port). */
  grpc?: number;
  /** One agent process per port. */
  agents: readonly number[];
}

export interface ContextForgeClusterOptions {
  /** Repository root: apps run from `<rootDir>/dist/apps/<app>/main.js` (build them first). */
  rootDir: string;
  /** Kafka bootstrap brokers, `host:port`. */
  kafkaBrokers: readonly string[];
  /** Consul HTTP address: `host:port` or `http(s)://host:port`. */
  consulAddress: string;
  /** postgres://... for the result-store. */
  databaseUrl: string;
  ports: ContextForgeClusterPorts;
  /**
   * Scheduler processes, `scheduler-1`, `scheduler-2`, ... (default: one per port when
   * `ports.scheduler` is a list, else 1). With a list it must match the list's length.
   */
  schedulerReplicas?: number;
  /** Bus topic prefix; a unique one per test keeps runs apart on a shared cluster. */
  topicPrefix?: string;
  /**
   * The HS256 secret the gateway verifies client JWTs with (JWT_SECRET). Mint tokens for it with
   * issueToken from @contextforge/auth.
   */
  jwtSecret: string;
  /**
   * coordinator.queue.fetch_max_wait for every process, e.g. '5ms' on librdkafka's mock cluster,
   * which holds an empty fetch for the whole wait instead of answering when a message arrives.
   */
  fetchMaxWait?: string;
  /**
   * coordinator.queue.idempotent for every process; false on librdkafka's mock cluster, whose
   * controller kafkajs cannot ask for a producer id (docs/operations.md).
   */
  idempotentProducer?: boolean;
  /** Variables for every process, applied last (e.g. LOG_LEVEL or CONTEXTFORGE__SECTION__KEY). */
  env?: Record<string, string>;
}

export interface ContextForgeClusterLayout {
  /** Start the stages in order; the processes within one stage can start in parallel. */
  stages: ProcessSpec[][];
  gatewayUrl: string;
  registryUrl: string;
  resultStoreUrl: string;
  /** Base URL of each scheduler replica's HTTP port, by process name, in replica order. */
  schedulerUrls: Record<string, string>;
  agentUrls: string[];
}

/** The process name of the `replica`th scheduler (1-based): `scheduler-1`, `scheduler-2`, ... */
export function schedulerProcessName(replica: number): string {
  return `scheduler-${replica}`;
}

/**
 * The process layout of cluster mode: registry and result-store, then the scheduler replicas and
 * the gateway, then the agents, each its own `node dist/apps/<app>/main.js` configured only through
 * environment variables (the ones libs/config documents). Every process, each scheduler replica
 * among them, gets DATABASE_URL: the result-store's database. A replica's identity (lease holder,
 * Kafka client id) is made by the process itself (service-wiring's replicaId), so the layout sets
 * none. Pure data: it starts nothing, so the cluster script, the bench and the system tests share
 * it and differ only in ports, replica counts and namespaces.
 */
export function contextForgeCluster(options: ContextForgeClusterOptions): ContextForgeClusterLayout {
  const { ports } = options;
  const schedulerPorts = schedulerPortsOf(ports, options.schedulerReplicas);
  const local = (port: number) => `http://127.0.0.1:${port}`;
  const common: Record<string, string> = {
    KAFKA_BROKERS: options.kafkaBrokers.join(','),
    CONSUL_HTTP_ADDR: options.consulAddress,
    DATABASE_URL: options.databaseUrl,
    KAFKAJS_NO_PARTITIONER_WARNING: '1',
    PORT: String(ports.gateway),
    CONTEXTFORGE__REGISTRY__PORT: String(ports.registry),
    CONTEXTFORGE__REGISTRY__API_URL: local(ports.registry),
    CONTEXTFORGE__RESULT_STORE__PORT: String(ports.resultStore),
    CONTEXTFORGE__RESULT_STORE__URL: local(ports.resultStore),
    CONTEXTFORGE__COORDINATOR__GRPC__PORT: String(ports.grpc ?? 0),
    JWT_SECRET: options.jwtSecret,
    ...(options.topicPrefix ? { CONTEXTFORGE__COORDINATOR__QUEUE__TOPIC_PREFIX: options.topicPrefix } : {}),
    ...(options.fetchMaxWait
      ? { CONTEXTFORGE__COORDINATOR__QUEUE__FETCH_MAX_WAIT: options.fetchMaxWait }
      : {}),
    ...(options.idempotentProducer === undefined
      ? {}
      : { CONTEXTFORGE__COORDINATOR__QUEUE__IDEMPOTENT: String(options.idempotentProducer) }),
  };
  const app = (name: string, app: string, port: number, env: Record<string, string> = {}): ProcessSpec => ({
    name,
    command: process.execPath,
    args: ['--enable-source-maps', join(options.rootDir, 'dist', 'apps', app, 'main.js')],
    cwd: options.rootDir,
    env: { ...common, ...env, ...options.env },
    readyUrl: `${local(port)}/readyz`,
  });
  const schedulers = schedulerPorts.map((port, index) =>
    app(schedulerProcessName(index + 1), 'scheduler', port, { CONTEXTFORGE__SCHEDULER__PORT: String(port) }),
  );
  const agents = ports.agents.map((port, index) =>
    app(`agent-${index + 1}`, 'agent', port, {
      CONTEXTFORGE__AGENT__ID: `agent-${index + 1}`,
      // Every built-in agent type (libs/agent-types builtinAgentTypes), so repository jobs and the
      // example type run in the cluster too.
      CONTEXTFORGE__AGENT__TASK_TYPES: CLUSTER_AGENT_TASK_TYPES,
      CONTEXTFORGE__AGENT__PORT: String(port),
      CONTEXTFORGE__AGENT__ENDPOINT: local(port),
    }),
  );
  return {
    stages: [
      [app('registry', 'registry', ports.registry), app('result-store', 'result-store', ports.resultStore)],
      [
        ...schedulers,
        // Rate limits in the shared PostgreSQL store, as several gateway replicas would need them.
        app('gateway', 'gateway', ports.gateway, {
          CONTEXTFORGE__NETWORK__RATE_LIMITING__STORE: options.databaseUrl,
        }),
      ],
      agents,
    ],
    gatewayUrl: local(ports.gateway),
    registryUrl: local(ports.registry),
    resultStoreUrl: local(ports.resultStore),
    schedulerUrls: Object.fromEntries(
      schedulerPorts.map((port, index) => [schedulerProcessName(index + 1), local(port)]),
    ),
    agentUrls: ports.agents.map(local),
  };
}

function schedulerPortsOf(ports: ContextForgeClusterPorts, replicas: number | undefined): number[] {
  if (typeof ports.scheduler !== 'number') {
    const list = [...ports.scheduler];
    if (list.length === 0 || (replicas !== undefined && replicas !== list.length)) {
      throw new Error(
        `contextForgeCluster: ${list.length} scheduler ports for ${replicas ?? list.length} scheduler replicas`,
      );
    }
    return list;
  }
  const count = replicas ?? 1;
  if (!Number.isInteger(count) || count < 1) {
    throw new Error(`contextForgeCluster: schedulerReplicas ${count}: expected a whole number >= 1`);
  }
  const taken = new Set([ports.gateway, ports.registry, ports.resultStore, ports.grpc ?? 0, ...ports.agents]);
  const result: number[] = [];
  for (let port = ports.scheduler; result.length < count; port += 1) {
    if (port > 65_535) throw new Error(`contextForgeCluster: no port left for ${count} scheduler replicas`);
    if (!taken.has(port)) result.push(port);
  }
  return result;
}
