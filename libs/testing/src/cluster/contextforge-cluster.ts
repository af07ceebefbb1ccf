import { join } from 'node:path';
import type { ProcessSpec } from './managed-process';

/** The task types the cluster's agents host. */
export const CLUSTER_AGENT_TASK_TYPES =
  'echo,sleep,license-check,code-analyzer,indexer,reviewer,repo-scan,repo-chunk';

export interface ContextForgeClusterPorts {
  gateway: number;
  registry: number;
  scheduler: number;
  resultStore: number;
  /** The gateway's gRPC port (default 0: any free port). */
  grpc?: number;
  /**
   * More scheduler replicas, one process per port, named `scheduler-2`, `scheduler-3`, ...; they
   * start beside `scheduler`, and the lease decides which one schedules (the others stand by).
   */
  extraSchedulers?: readonly number[];
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
  /** Variables for every process, applied last (e.g. LOG_LEVEL or CONTEXTFORGE__SECTION__KEY). */
  env?: Record<string, string>;
}

export interface ContextForgeClusterLayout {
  /** Start the stages in order; the processes within one stage can start in parallel. */
  stages: ProcessSpec[][];
  gatewayUrl: string;
  registryUrl: string;
  resultStoreUrl: string;
  agentUrls: string[];
}

/**
 * The process layout of cluster mode: registry and result-store, then the scheduler replicas and
 * the gateway, then the agents, each its own `node dist/apps/<app>/main.js` configured only through
 * environment variables (the ones libs/config documents). Pure data: it starts nothing, so the
 * cluster script and the system tests share it and differ only in ports and namespaces.
 */
export function contextForgeCluster(options: ContextForgeClusterOptions): ContextForgeClusterLayout {
  const { ports } = options;
  const local = (port: number) => `http://127.0.0.1:${port}`;
  const common: Record<string, string> = {
    KAFKA_BROKERS: options.kafkaBrokers.join(','),
    CONSUL_HTTP_ADDR: options.consulAddress,
    DATABASE_URL: options.databaseUrl,
    KAFKAJS_NO_PARTITIONER_WARNING: '1',
    PORT: String(ports.gateway),
    CONTEXTFORGE__REGISTRY__PORT: String(ports.registry),
    CONTEXTFORGE__REGISTRY__API_URL: local(ports.registry),
    CONTEXTFORGE__SCHEDULER__PORT: String(ports.scheduler),
    CONTEXTFORGE__RESULT_STORE__PORT: String(ports.resultStore),
    CONTEXTFORGE__RESULT_STORE__URL: local(ports.resultStore),
    CONTEXTFORGE__COORDINATOR__GRPC__PORT: String(ports.grpc ?? 0),
    JWT_SECRET: options.jwtSecret,
    ...(options.topicPrefix ? { CONTEXTFORGE__COORDINATOR__QUEUE__TOPIC_PREFIX: options.topicPrefix } : {}),
    ...(options.fetchMaxWait
      ? { CONTEXTFORGE__COORDINATOR__QUEUE__FETCH_MAX_WAIT: options.fetchMaxWait }
      : {}),
  };
  const app = (name: string, app: string, port: number, env: Record<string, string> = {}): ProcessSpec => ({
    name,
    command: process.execPath,
    args: ['--enable-source-maps', join(options.rootDir, 'dist', 'apps', app, 'main.js')],
    cwd: options.rootDir,
    env: { ...common, ...env, ...options.env },
    readyUrl: `${local(port)}/readyz`,
  });
  const extraSchedulers = (ports.extraSchedulers ?? []).map((port, index) =>
    app(`scheduler-${index + 2}`, 'scheduler', port, { CONTEXTFORGE__SCHEDULER__PORT: String(port) }),
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
        app('scheduler', 'scheduler', ports.scheduler),
        ...extraSchedulers,
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
    agentUrls: ports.agents.map(local),
  };
}
