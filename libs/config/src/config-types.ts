import type { JwtAlgorithm } from '@contextforge/contracts';
import type { Rate } from './units';

/**
 * The validated configuration every app receives. It mirrors the YAML (see
 * config/contextforge.example.yaml for every key with its default) with camelCase names:
 * `heartbeat_interval` is `heartbeatInterval`. Units are fixed: every duration is whole
 * milliseconds, every size whole bytes, every rate a `Rate`. Objects are frozen.
 */
export interface Config {
  readonly agent: AgentConfig;
  readonly coordinator: CoordinatorConfig;
  readonly registry: RegistryConfig;
  readonly database: DatabaseConfig;
  readonly scheduler: SchedulerConfig;
  readonly resultStore: ResultStoreConfig;
  readonly payloads: PayloadsConfig;
  readonly embedded: EmbeddedConfig;
  readonly network: NetworkConfig;
  readonly security: SecurityConfig;
  readonly logging: LoggingConfig;
}

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent';
export type LoadBalancingStrategy = 'round_robin' | 'least_connections' | 'weighted';
export type QueueType = 'memory' | 'kafka';

/** One agent process (apps/agent); the embedded mode uses type, capabilities, weight etc. for its local agents. */
export interface AgentConfig {
  /** Unset: the agent app chooses one (for example from the host name). */
  readonly id?: string;
  readonly name?: string;
  /** The agent's kind, e.g. "code-analyzer". Default "general". */
  readonly type: string;
  readonly capabilities: readonly string[];
  /** Agent types (task types) this process hosts. Default [echo, sleep]. */
  readonly taskTypes: readonly string[];
  /** Declared resources, passed through to the registration as written ("4", "8Gi"). */
  readonly resources: { readonly cpu?: string; readonly memory?: string; readonly disk?: string };
  /** Where the scheduler reaches this agent (http(s)://). Unset: the agent app derives it from its port. */
  readonly endpoint?: string;
  readonly weight: number;
  readonly concurrency: number;
  /** HTTP port of the agent's dispatch endpoint. */
  readonly port: number;
  readonly registry: AgentRegistryConfig;
  /** How long SIGTERM waits for running tasks before aborting them (ms). */
  readonly drainTimeout: number;
}

export interface AgentRegistryConfig {
  /** Discovery URL the agent registers with. Default: the top-level registry.url. */
  readonly url: string;
  readonly heartbeatInterval: number;
  /** TTL of the agent's health check: no heartbeat for this long and it is unhealthy (ms). */
  readonly ttl: number;
  /** Consul removes an agent whose check stays critical this long (ms). */
  readonly deregisterCriticalAfter: number;
}

/** The gateway and the scheduler (the seed's "coordinator"). */
export interface CoordinatorConfig {
  /** Gateway HTTP port; 0 picks a free port. */
  readonly port: number;
  readonly host: string;
  /** The gateway's gRPC AgentService (port 0 picks a free port). */
  readonly grpc: { readonly enabled: boolean; readonly port: number };
  readonly agents: {
    readonly healthCheckInterval: number;
    readonly healthCheckTimeout: number;
    /** Consecutive failed checks before an agent is unavailable. */
    readonly maxFailures: number;
    /** No heartbeat for this long and an agent is unhealthy (ms). */
    readonly heartbeatTimeout: number;
  };
  readonly loadBalancing: {
    readonly strategy: LoadBalancingStrategy;
    /** Dispatch timeout per call to an agent (ms). */
    readonly timeout: number;
  };
  readonly queue: {
    /** Derived from the URL scheme when not written. */
    readonly type: QueueType;
    /** memory:// or kafka://host:port[,host:port] */
    readonly url: string;
    readonly prefetchCount: number;
    readonly topicPrefix: string;
    readonly clientId?: string;
    /**
     * Longest wait of a Kafka fetch with no new messages (ms). Real brokers answer as soon as a
     * message arrives; librdkafka's mock cluster waits the full time, so tests on it set it low.
     */
    readonly fetchMaxWait: number;
    /**
     * How long an idle Kafka producer waits after a publish before it sends (ms; Kafka's
     * `linger.ms`), so that publishes made meanwhile share the produce request. Consumers then get
     * fewer, larger batches; librdkafka's mock returns one producer batch per partition per fetch,
     * so there it sets the consumers' batch sizes outright.
     */
    readonly linger: number;
    /** Partitions of the topics the Kafka bus creates (default 4). Existing topics keep theirs. */
    readonly partitions: number;
    /**
     * Replication factor of the topics the Kafka bus creates. Default 1, for one-broker
     * development clusters; production clusters want 3.
     */
    readonly replicationFactor: number;
    /**
     * true (default): the Kafka bus creates the topics it uses that are missing (CreateTopics, with
     * `partitions` and `replicationFactor`). false: it only checks they exist and fails at connect
     * naming the missing ones (for clusters that deny CreateTopics; create them beforehand).
     */
    readonly createTopics: boolean;
    /**
     * true (default): an idempotent Kafka producer (acks -1, one request in flight, broker-side
     * de-duplication of retried sends); connect fails if the cluster grants no producer id.
     * false: a plain producer (acks -1, one request in flight), for clusters that grant none.
     */
    readonly idempotent: boolean;
    /**
     * The largest message the bus publishes (bytes; key, value and headers plus framing; default
     * 1,000,000). Keep it at or below the topics' `max.message.bytes`. A larger message fails its
     * publish with MESSAGE_TOO_LARGE.
     */
    readonly maxMessageBytes: number;
  };
  /** `local`: with no healthy agent able to run a task, the scheduler runs it in its own process. */
  readonly fallback: 'none' | 'local';
  readonly retry: {
    readonly maxAttempts: number;
    readonly initialDelay: number;
    readonly maxDelay: number;
  };
}

export interface RegistryConfig {
  /** memory://, consul://host[:port] or consul+https://host[:port] */
  readonly url: string;
  readonly serviceName: string;
  readonly aclToken?: string;
  /** HTTP port of the registry service. */
  readonly port: number;
  /** Where other services (the gateway) reach the registry service. Default http://127.0.0.1:<port>. */
  readonly apiUrl: string;
}

export interface DatabaseConfig {
  /** pglite://memory, pglite://<directory>, postgres://... or postgresql://... */
  readonly url: string;
  readonly poolMax: number;
}

export interface SchedulerConfig {
  readonly port: number;
}

export interface ResultStoreConfig {
  readonly port: number;
  /** Where other services reach the result-store. Default http://127.0.0.1:<port>. */
  readonly url: string;
}

/** Payloads by reference (libs/contracts/src/payloads.ts). */
export interface PayloadsConfig {
  /**
   * Task inputs and outputs whose JSON is larger than this (bytes) never travel in a bus message:
   * agents store such outputs in the result-store and publish their id, and task-changes messages
   * leave them out. 1 KiB to 256 KiB, default 64 KiB.
   */
  readonly inlineLimit: number;
}

export interface EmbeddedConfig {
  /** Local agents started by the embedded mode (`npm start`). */
  readonly agents: number;
}

export interface NetworkConfig {
  readonly tls: {
    readonly enabled: boolean;
    readonly certPath?: string;
    readonly keyPath?: string;
    readonly caPath?: string;
    /** mTLS: peers must present a certificate signed by caPath. */
    readonly requireClientCert: boolean;
    /** Base64 SHA-256 digests of accepted peer public keys (SPKI); empty: no pinning. */
    readonly pinnedPublicKeys: readonly string[];
    /** How often certificate files are checked for changes (ms). */
    readonly reloadInterval: number;
  };
  readonly rateLimiting: {
    readonly perIp: Rate;
    readonly perAgent: Rate;
    readonly perClient: Rate;
    /** memory:// or a postgres:// URL (a limit shared by every gateway replica). */
    readonly store: string;
    /** Proxies in front of the gateway whose X-Forwarded-For entries are trusted. */
    readonly trustedProxies: number;
  };
  /** Largest accepted request body (bytes), also after decompression. */
  readonly bodyLimit: number;
  readonly limits: {
    /** ms */
    readonly headersTimeout: number;
    /** ms */
    readonly requestTimeout: number;
    /** ms */
    readonly keepAliveTimeout: number;
    /** bytes */
    readonly maxHeaderSize: number;
    readonly maxConnections: number;
    readonly maxConnectionsPerIp: number;
  };
}

export type { JwtAlgorithm };

export interface SecurityConfig {
  readonly authentication: {
    readonly type: 'jwt';
    /** The only algorithm accepted. */
    readonly algorithm: JwtAlgorithm;
    /** HMAC secret for HS algorithms (at least 32 characters). */
    readonly secretKey?: string;
    /** PEM public key (SPKI) for RS/PS/ES/EdDSA. */
    readonly publicKeyPath?: string;
    /** JWKS endpoint for RS/PS/ES/EdDSA. */
    readonly jwksUrl?: string;
    readonly issuer: string;
    readonly audience: string;
    /** Allowed clock skew for exp/nbf/iat (ms, at most 60 s). */
    readonly clockTolerance: number;
    /** Lifetime of tokens the platform issues (development credentials) (ms). */
    readonly expiration: number;
  };
  /** Generate development credentials at start when no keys are configured (embedded mode only). */
  readonly devCredentials: boolean;
  /** Where development credentials are written. */
  readonly credentialsFile: string;
}

export interface LoggingConfig {
  readonly level: LogLevel;
}
