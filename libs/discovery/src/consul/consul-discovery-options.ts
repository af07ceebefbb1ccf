import type { AppError } from '@contextforge/contracts';

/** Options of ConsulDiscovery; defaults are applied once, in the constructor. */
export interface ConsulDiscoveryOptions {
  /** Consul agent address. Default 127.0.0.1:8500, plain HTTP. */
  host?: string;
  port?: number;
  secure?: boolean;
  /** ACL token sent as X-Consul-Token on every request. */
  aclToken?: string;
  /** The Consul service every agent instance registers under. Default "contextforge-agent". */
  serviceName?: string;
  /** TTL of each agent's check. Default 30 s. */
  ttlMs?: number;
  /** DeregisterCriticalServiceAfter of each agent's check. Default 10 min (Consul's minimum is 1 min). */
  deregisterCriticalAfterMs?: number;
  /** Blocking-query wait of watchers. Default 5 min (Consul's default; its maximum is 10 min). */
  watchWaitMs?: number;
  /** Watcher retry backoff after an error: base and cap. Defaults 100 ms and 30 s. */
  watchBackoffMs?: number;
  watchBackoffMaxMs?: number;
  /** Per-request timeout for non-blocking calls. Default 10 s. */
  requestTimeoutMs?: number;
  /** Told about each failed blocking query (already translated); the watch retries by itself. */
  onWatchError?: (error: AppError) => void;
}
