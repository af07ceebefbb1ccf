import { types } from 'node:util';
import type Consul from 'consul';
import {
  AppError,
  AgentRegistrationSchema,
  parseOrThrow,
  type AgentInstance,
  type AgentRegistration,
  type Discovery,
  type HealthState,
  type ListAgentsFilter,
  type WatchHandle,
} from '@contextforge/contracts';
import { byAgentId, matchesFilter } from '../agent-filter';
import type { ConsulDiscoveryOptions } from './consul-discovery-options';
import { statusOf, translateConsulError } from './consul-errors';
import {
  checkIdOf,
  fromHealthEntry,
  HealthResponseSchema,
  probeCheckIdOf,
  toServiceRegistration,
} from './consul-mapping';

export type { ConsulDiscoveryOptions };

type ResolvedOptions = Required<Omit<ConsulDiscoveryOptions, 'aclToken' | 'onWatchError'>> &
  Pick<ConsulDiscoveryOptions, 'aclToken' | 'onWatchError'>;

const CHECK_VERB: Record<HealthState, 'pass' | 'warn' | 'fail'> = {
  passing: 'pass',
  warning: 'warn',
  critical: 'fail',
};

/**
 * The Consul Discovery adapter. Each agent is a service instance with two TTL checks, heartbeat
 * and registry probe (see consul-mapping.ts for the exact shape); the TTL runs on the Consul agent's clock. Registration
 * and heartbeats go through the local agent API (PUT /v1/agent/...), reads through
 * /v1/health/service/<name>, and watchers hold a blocking query on that endpoint (index + wait),
 * retrying with exponential backoff after errors, until closed.
 *
 * Consul's catalog is eventually consistent with the agent that took a registration (anti-entropy
 * usually syncs within milliseconds); a list right after register may briefly miss it on a real
 * cluster. `lastHeartbeatAgeMs` is always null: Consul does not expose when a TTL was refreshed.
 * The consul client is imported in connect(), so the memory-only embedded mode never loads it.
 */
export class ConsulDiscovery implements Discovery {
  readonly options: ResolvedOptions;
  private client: Consul | undefined;
  private closed = false;
  private readonly watches = new Set<{ end(): void }>();

  constructor(options: ConsulDiscoveryOptions = {}) {
    this.options = {
      host: options.host ?? '127.0.0.1',
      port: options.port ?? 8500,
      secure: options.secure ?? false,
      aclToken: options.aclToken,
      serviceName: options.serviceName ?? 'contextforge-agent',
      ttlMs: options.ttlMs ?? 30_000,
      deregisterCriticalAfterMs: options.deregisterCriticalAfterMs ?? 10 * 60_000,
      watchWaitMs: options.watchWaitMs ?? 5 * 60_000,
      watchBackoffMs: options.watchBackoffMs ?? 100,
      watchBackoffMaxMs: options.watchBackoffMaxMs ?? 30_000,
      requestTimeoutMs: options.requestTimeoutMs ?? 10_000,
      onWatchError: options.onWatchError,
    };
    if (!(this.options.ttlMs > 0) || !(this.options.deregisterCriticalAfterMs > 0)) {
      throw new AppError(
        'CONFIG_INVALID',
        'ConsulDiscovery: ttlMs and deregisterCriticalAfterMs must be > 0',
      );
    }
  }

  async connect(): Promise<void> {
    if (this.closed) throw new AppError('SERVICE_UNAVAILABLE', 'consul discovery is closed');
    if (this.client) return;
    const { default: ConsulClient } = await import('consul');
    const { host, port, secure, aclToken: token, requestTimeoutMs } = this.options;
    const client = new ConsulClient({
      host,
      port,
      secure,
      defaults: { ...(token ? { token } : {}), timeout: requestTimeoutMs } as { token?: string },
    });
    // One read proves the agent is reachable, has a cluster leader (else 500 "No cluster leader")
    // and knows the token (else 403 "ACL not found"), so a bad setup fails at start-up.
    const service = this.options.serviceName;
    try {
      await this.call(`GET /v1/health/service/${service}`, () => client.health.service({ service }));
    } catch (error) {
      client.destroy();
      throw error;
    }
    this.client = client;
  }

  async register(registration: AgentRegistration): Promise<void> {
    const client = this.connected();
    const parsed = parseOrThrow(AgentRegistrationSchema, registration, 'agent registration');
    const { serviceName, ttlMs, deregisterCriticalAfterMs } = this.options;
    const body = toServiceRegistration(parsed, serviceName, ttlMs, deregisterCriticalAfterMs);
    // The client's typings demand `name` and `timeout` on every check; a TTL check needs neither.
    type RegisterOptions = Parameters<Consul['agent']['service']['register']>[0];
    await this.call('PUT /v1/agent/service/register', () =>
      client.agent.service.register(body as unknown as RegisterOptions),
    );
  }

  async deregister(agentId: string): Promise<void> {
    const client = this.connected();
    // Already gone counts as done: deregistering is idempotent.
    await this.call(
      `PUT /v1/agent/service/deregister/${agentId}`,
      () => client.agent.service.deregister({ id: agentId }),
      {
        onNotFound: () => undefined,
      },
    );
  }

  async heartbeat(agentId: string, state: HealthState = 'passing', note?: string): Promise<void> {
    await this.updateCheck(agentId, checkIdOf(agentId), state, note);
  }

  async reportProbe(agentId: string, state: HealthState, note?: string): Promise<void> {
    await this.updateCheck(agentId, probeCheckIdOf(agentId), state, note);
  }

  async list(filter: ListAgentsFilter = {}): Promise<AgentInstance[]> {
    const client = this.connected();
    const service = this.options.serviceName;
    const raw = await this.call(`GET /v1/health/service/${service}`, () =>
      client.health.service({ service, ...(filter.healthyOnly ? { passing: true } : {}) }),
    );
    return toInstances(raw).filter((instance) => matchesFilter(instance, filter));
  }

  watch(listener: (agents: AgentInstance[]) => void): WatchHandle {
    const client = this.connected();
    const { serviceName, watchWaitMs, watchBackoffMs, watchBackoffMaxMs } = this.options;
    const endpoint = `GET /v1/health/service/${serviceName}`;
    const watch = client.watch({
      method: client.health.service,
      options: {
        service: serviceName,
        wait: `${Math.round(watchWaitMs)}ms`,
        // Above wait plus Consul's wait/16 jitter; the default request timeout is far shorter.
        timeout: `${Math.round(watchWaitMs * 1.1 + 5_000)}ms`,
      },
      backoffFactor: watchBackoffMs,
      backoffMax: watchBackoffMaxMs,
    });
    let lastSignature: string | undefined;
    watch.on('change', (data: unknown) => {
      const agents = toInstances(data);
      // A blocking query may return with a higher index and the same content (idempotent writes).
      const signature = JSON.stringify(agents);
      if (signature === lastSignature) return;
      lastSignature = signature;
      listener(agents);
    });
    // The watch retries by itself with backoff; errors are only reported.
    watch.on('error', (error: unknown) => this.options.onWatchError?.(translateConsulError(error, endpoint)));
    watch.on('end', () => this.watches.delete(watch));
    this.watches.add(watch);
    return { close: () => watch.end() };
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const watch of [...this.watches]) watch.end();
    this.watches.clear();
    this.client?.destroy();
    this.client = undefined;
  }

  /** A TTL check update; an unknown check means the agent is not registered (AGENT_NOT_FOUND). */
  private async updateCheck(
    agentId: string,
    checkId: string,
    state: HealthState,
    note: string | undefined,
  ): Promise<void> {
    const client = this.connected();
    const verb = CHECK_VERB[state];
    const endpoint = `PUT /v1/agent/check/${verb}/${checkId}`;
    await this.call(endpoint, () => client.agent.check[verb]({ id: checkId, ...(note ? { note } : {}) }), {
      onNotFound: () => {
        throw new AppError('AGENT_NOT_FOUND', `agent ${agentId} is not registered in Consul`, {
          details: { agentId, endpoint },
        });
      },
    });
  }

  private connected(): Consul {
    if (!this.client) {
      throw new AppError(
        'SERVICE_UNAVAILABLE',
        `consul discovery is ${this.closed ? 'closed' : 'not connected'}`,
      );
    }
    return this.client;
  }

  /**
   * Runs one client request and translates its failure. A 404 goes to `onNotFound` when given.
   * The client resolves with (rather than rejects) a network error created in another realm (as
   * under Jest's VM contexts), so a resolved native error is treated as a failure too.
   */
  private async call<T>(
    endpoint: string,
    request: () => Promise<T>,
    handlers: { onNotFound?: () => T } = {},
  ): Promise<T> {
    let result: T;
    try {
      result = await request();
    } catch (error) {
      if (handlers.onNotFound && statusOf(error) === 404) return handlers.onNotFound();
      throw translateConsulError(error, endpoint);
    }
    if (types.isNativeError(result)) throw translateConsulError(result, endpoint);
    return result;
  }
}

function toInstances(raw: unknown): AgentInstance[] {
  const entries = HealthResponseSchema.safeParse(raw ?? []);
  if (!entries.success) {
    throw new AppError(
      'SERVICE_UNAVAILABLE',
      'Consul /v1/health/service answered with something other than a list',
    );
  }
  return entries.data
    .map(fromHealthEntry)
    .filter((instance) => instance !== undefined)
    .sort(byAgentId);
}
