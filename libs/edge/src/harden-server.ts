import type { TlsMaterial } from '@contextforge/tls';
import { createServer as createHttpServer, type RequestListener, type Server as HttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Socket } from 'node:net';

/** Limits of the HTTP server (config `network.limits`; durations ms, sizes bytes). */
export interface ServerLimits {
  /** The request headers must arrive within this (slow-loris); else 408 and the connection closes. */
  readonly headersTimeout: number;
  /** The whole request, body included, must arrive within this; else 408. 0: no limit. */
  readonly requestTimeout: number;
  /** Idle keep-alive connections close after this. */
  readonly keepAliveTimeout: number;
  /** Largest request header block; larger is 431 and the connection closes. */
  readonly maxHeaderSize: number;
  /** Open connections at once; more are closed as they arrive. 0: no limit. */
  readonly maxConnections: number;
  /**
   * Open connections from one peer address at once; more are destroyed as they arrive. 0: no
   * limit. The peer is the TCP peer: behind a load balancer every client shares its addresses,
   * so set this high (or 0) there.
   */
  readonly maxConnectionsPerIp: number;
}

/** Live view of a hardened server's per-IP accounting. */
export interface ConnectionLimiter {
  /** Connections open now from `ip` (as the socket reports it, e.g. `::ffff:127.0.0.1`). */
  connectionsFrom(ip: string): number;
  /** Connections destroyed so far for exceeding the per-IP cap. */
  readonly refused: number;
}

/**
 * Applies `limits` to a node:http or node:https server. Call it before `listen`: Node checks
 * header and request timeouts on a timer (`connectionsCheckingInterval`, 30 s by default) that
 * starts when the server listens; this sets it to a quarter of the shortest timeout (50 ms to
 * 1 s) so a 10 s headers timeout fires after 10 s, not up to 40 s. `maxHeaderSize` is read when
 * a connection starts, so setting it here works as the createServer option does.
 *
 * Answers to these violations come from Node itself, before any request object exists: 408 (no
 * body) for timeouts, 431 for oversized headers, both with `Connection: close`.
 */
export function hardenServer(server: HttpServer, limits: ServerLimits): ConnectionLimiter {
  if (server.listening) throw new Error('hardenServer: call it before the server listens');
  const requestTimeout = limits.requestTimeout;
  // Node refuses a headers timeout longer than the request timeout at construction; keep that rule.
  const headersTimeout =
    requestTimeout > 0 ? Math.min(limits.headersTimeout, requestTimeout) : limits.headersTimeout;
  server.headersTimeout = headersTimeout;
  server.requestTimeout = requestTimeout;
  server.keepAliveTimeout = limits.keepAliveTimeout;
  if (limits.maxConnections > 0) server.maxConnections = limits.maxConnections;
  Object.assign(server, {
    maxHeaderSize: limits.maxHeaderSize,
    connectionsCheckingInterval: checkingInterval(headersTimeout, requestTimeout),
  });
  return limitConnectionsPerIp(server, limits.maxConnectionsPerIp);
}

/**
 * An HTTP server for `app` with `limits` applied (see `hardenServer`), or HTTPS on `tls`'s current
 * material, kept up to date by `tls.attach` (detached when the server closes). Not listening yet.
 */
export function createHardenedServer(
  app: RequestListener,
  limits: ServerLimits,
  tls?: TlsMaterial,
): HttpServer {
  const options = {
    maxHeaderSize: limits.maxHeaderSize,
    connectionsCheckingInterval: checkingInterval(limits.headersTimeout, limits.requestTimeout),
  };
  if (!tls) {
    const server = createHttpServer(options, app);
    hardenServer(server, limits);
    return server;
  }
  const server = createHttpsServer({ ...tls.serverOptions(), ...options }, app);
  const detach = tls.attach(server);
  server.once('close', detach);
  hardenServer(server, limits);
  return server;
}

function checkingInterval(headersTimeout: number, requestTimeout: number): number {
  const shortest = Math.min(...[headersTimeout, requestTimeout].filter((ms) => ms > 0), 4_000);
  return Math.max(50, Math.min(1_000, Math.floor(shortest / 4)));
}

function limitConnectionsPerIp(server: HttpServer, cap: number): ConnectionLimiter {
  const open = new Map<string, number>();
  let refused = 0;
  if (cap > 0) {
    // Prepended: an extra socket is destroyed before HTTP (or TLS) starts on it.
    server.prependListener('connection', (socket: Socket) => {
      const ip = socket.remoteAddress ?? 'unknown';
      const count = open.get(ip) ?? 0;
      if (count >= cap) {
        refused += 1;
        socket.destroy();
        return;
      }
      open.set(ip, count + 1);
      socket.once('close', () => {
        const left = (open.get(ip) ?? 1) - 1;
        if (left > 0) open.set(ip, left);
        else open.delete(ip);
      });
    });
  }
  return {
    connectionsFrom: (ip) => open.get(ip) ?? 0,
    get refused() {
      return refused;
    },
  };
}
