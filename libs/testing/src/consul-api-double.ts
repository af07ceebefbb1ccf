import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { agentRoutes } from './consul-double/agent-routes';
import { catalogRoutes } from './consul-double/catalog-routes';
import { CatalogStore } from './consul-double/catalog-store';
import { parseGoDuration } from './consul-double/go-duration';
import { ConsulHttpError, sendText } from './consul-double/http-kit';
import { kvRoutes } from './consul-double/kv-routes';
import type { DoubleNode } from './consul-double/render';
import type { RequestContext, Route } from './consul-double/request-context';

export interface ConsulApiDoubleOptions {
  /**
   * When set, ACLs are on with a default-deny policy: this token may do everything, a request
   * without a token is the anonymous token (writes 403 "Permission denied...", list reads come
   * back empty and flagged as filtered), and any other token gets 403 "ACL not found".
   */
  token?: string;
  /** How often critical services are reaped (Consul: 30 s). */
  reapIntervalMs?: number;
  /** The floor for DeregisterCriticalServiceAfter (Consul: 1 min). Lower it in tests. */
  minDeregisterCriticalServiceAfterMs?: number;
  /** Port on 127.0.0.1; default 0 (ephemeral). Set it to bring a "restarted" Consul back at the same address. */
  port?: number;
  /** Node name and datacenter the double reports. */
  nodeName?: string;
  datacenter?: string;
}

const routes: Route[] = [...agentRoutes, ...catalogRoutes, ...kvRoutes];
const DEFAULT_WAIT_MS = 5 * 60_000;
const MAX_WAIT_MS = 10 * 60_000;

/**
 * TEST DOUBLE: not Consul. A small, faithful stand-in for the subset of Consul's HTTP API that
 * ContextForge uses, for tests on machines where no Consul server exists. It plays one node's
 * local agent and the catalog behind it, on 127.0.0.1 at an ephemeral port, over plain node:http.
 *
 * Faithful to Consul's documented paths, PascalCase JSON, status codes and text/plain error
 * bodies, blocking queries (`?index` + `?wait`, X-Consul-Index), TTL checks that expire to
 * critical on the double's clock ("TTL expired"), DeregisterCriticalServiceAfter reaping, and
 * X-Consul-Token ACLs. Endpoints: agent service register/deregister, agent check
 * pass/warn/fail/update, agent services, health service, catalog services/service, KV, status leader.
 *
 * Left out: checks other than TTL (registering one is a 400), sessions, transactions, prepared
 * queries, ACL management, multiple nodes or datacenters, namespaces, `?filter` expressions and
 * consistency modes (every read is consistent and instant; agent and catalog are one). Paths it
 * does not serve answer 404, known paths with another method 405.
 */
export class ConsulApiDouble {
  private readonly server: Server;
  private readonly store: CatalogStore;
  private readonly node: DoubleNode;
  private readonly token: string | undefined;
  private address: AddressInfo | undefined;
  private parked = 0;

  private constructor(options: ConsulApiDoubleOptions) {
    this.token = options.token;
    this.store = new CatalogStore({
      clock: () => performance.now(),
      reapIntervalMs: options.reapIntervalMs ?? 30_000,
      minDeregisterAfterMs: options.minDeregisterCriticalServiceAfterMs ?? 60_000,
    });
    this.node = {
      id: randomUUID(),
      name: options.nodeName ?? 'consul-api-double',
      address: '127.0.0.1',
      datacenter: options.datacenter ?? 'dc1',
      createIndex: 1,
    };
    this.server = createServer((req, res) => void this.handle(req, res));
  }

  /** Starts a double listening on 127.0.0.1, at an ephemeral port unless `port` is given. */
  static async start(options: ConsulApiDoubleOptions = {}): Promise<ConsulApiDouble> {
    const double = new ConsulApiDouble(options);
    await new Promise<void>((resolve, reject) => {
      double.server.once('error', reject);
      double.server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
    });
    double.address = double.server.address() as AddressInfo;
    return double;
  }

  get host(): string {
    return '127.0.0.1';
  }

  get port(): number {
    if (!this.address) throw new Error('ConsulApiDouble is not started');
    return this.address.port;
  }

  /** Base URL, e.g. http://127.0.0.1:53411 (paths start with /v1). */
  get url(): string {
    return `http://${this.host}:${this.port}`;
  }

  /**
   * How many blocking queries are waiting right now. Lets a test know its query is parked before
   * it makes the write that should wake it (poll it with a bounded waitFor).
   */
  get blockedQueries(): number {
    return this.parked;
  }

  /** Stops listening, ends blocking queries in flight and stops TTL and reaper timers. */
  async stop(): Promise<void> {
    this.store.close();
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closed;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const url = new URL(req.url ?? '/', 'http://consul-api-double');
      const matching = routes
        .map((route) => ({ route, match: route.pattern.exec(url.pathname) }))
        .filter((candidate) => candidate.match !== null);
      const found = matching.find(({ route }) => route.method === req.method);
      if (!found?.match) {
        if (matching.length === 0) throw new ConsulHttpError(404, '404 page not found');
        const allow = matching.map(({ route }) => route.method).join(', ');
        throw new ConsulHttpError(405, `method ${req.method ?? ''} not allowed`, { Allow: allow });
      }
      const context: RequestContext = {
        req,
        res,
        params: found.match.slice(1).map((part) => decodeURIComponent(part)),
        query: url.searchParams,
        // Status endpoints resolve no token in Consul.
        access: url.pathname.startsWith('/v1/status/') ? 'full' : this.resolveAccess(req, url.searchParams),
        store: this.store,
        node: this.node,
        blocking: (indexOf, respond) => this.blocking(res, url.searchParams, indexOf, respond),
      };
      await found.route.handler(context);
    } catch (error) {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (error instanceof ConsulHttpError) sendText(res, error.status, error.message, error.headers);
      else sendText(res, 500, error instanceof Error ? error.message : String(error));
    }
  }

  /** Consul reads the token from X-Consul-Token, then `Authorization: Bearer`, then `?token`. */
  private resolveAccess(req: IncomingMessage, query: URLSearchParams): 'full' | 'anonymous' {
    if (this.token === undefined) return 'full';
    const header = req.headers['x-consul-token'];
    const bearer = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '')?.[1];
    const presented = (typeof header === 'string' && header) || bearer || query.get('token') || '';
    if (presented === '') return 'anonymous';
    if (presented === this.token) return 'full';
    throw new ConsulHttpError(403, 'ACL not found');
  }

  private async blocking(
    res: ServerResponse,
    query: URLSearchParams,
    indexOf: () => number,
    respond: (index: number) => void,
  ): Promise<void> {
    const minIndex = parseIndex(query.get('index'));
    if (minIndex > 0 && indexOf() <= minIndex) {
      const waitMs = parseWait(query.get('wait'));
      // Consul adds up to wait/16 of random jitter to spread out wake-ups.
      const deadline = waitMs + Math.random() * (waitMs / 16);
      this.parked += 1;
      await new Promise<void>((resolve) => {
        const finish = (): void => {
          this.parked -= 1;
          clearTimeout(timer);
          unsubscribe();
          res.off('close', finish);
          resolve();
        };
        const timer = setTimeout(finish, deadline);
        const unsubscribe = this.store.onWrite(() => {
          if (indexOf() > minIndex) finish();
        });
        // The client gave up (or the double stopped): nobody is left to answer.
        res.once('close', finish);
      });
      if (res.destroyed) return;
    }
    respond(Math.max(1, indexOf()));
  }
}

function parseIndex(value: string | null): number {
  if (value === null || value === '') return 0;
  if (!/^\d+$/.test(value)) throw new ConsulHttpError(400, `Invalid index: ${value}`);
  return Number(value);
}

function parseWait(value: string | null): number {
  if (value === null || value === '') return DEFAULT_WAIT_MS;
  const ms = parseGoDuration(value);
  if (ms === undefined || ms < 0) throw new ConsulHttpError(400, `Invalid wait time: ${value}`);
  return Math.min(ms, MAX_WAIT_MS);
}
