import type { IncomingMessage, Server as HttpServer } from 'node:http';
import { STATUS_CODES } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import type { Duplex } from 'node:stream';
import { AppError, ERROR_CODES, type Authenticator, type Principal } from '@contextforge/contracts';
import type { Logger } from '@contextforge/observability';
import { WebSocket, WebSocketServer } from 'ws';
import type { GatewayOperations } from '../operations';
import { runFeedStream } from './run-feed-stream';
import { runTaskStream, type StreamSink } from './run-task-stream';
import type { StreamHub } from './stream-hub';
import { STREAM_CLOSE_CODES, type StreamMessage } from './stream-message';

export interface StreamServerOptions {
  hub: StreamHub;
  operations: GatewayOperations;
  authenticator: Authenticator;
  logger: Logger;
  /** Unsent bytes per connection above which history pauses and live streams close 4008 (default 1 MiB). */
  highWaterMarkBytes?: number;
  /** Ping period; a peer that has not answered the previous ping is terminated (default 30 s). */
  heartbeatIntervalMs?: number;
  /** Largest frame accepted from a client (default 4 KiB: clients only send pings). */
  maxPayloadBytes?: number;
  /** After a 4008 close, how long the close handshake may take before the socket is destroyed (default 5 s). */
  slowConsumerGraceMs?: number;
  /** Called first for every upgrade (e.g. the per-IP rate limiter); throw an AppError to refuse it. */
  beforeUpgrade?(req: IncomingMessage): void | Promise<void>;
}

export interface StreamServerStats {
  open: number;
  accepted: number;
  /** Upgrades answered with an HTTP error. */
  rejected: number;
  closedSlow: number;
  closedDead: number;
  /** The largest `bufferedAmount` seen on any connection after a send. */
  maxBufferedAmount: number;
}

export interface StreamServer {
  stats(): StreamServerStats;
  /** Closes every stream with 1001 and stops handling upgrades. */
  close(): Promise<void>;
}

type Route = { kind: 'task'; taskId: string } | { kind: 'agents' } | { kind: 'metrics' };

interface StreamQuery {
  after?: number;
  epoch?: string;
}

/** Sub-protocol a client may offer beside `bearer.<token>`; the server picks it when offered. */
export const STREAM_SUBPROTOCOL = 'contextforge.v1';
const BEARER_PROTOCOL_PREFIX = 'bearer.';

/**
 * Serves the WebSocket streams on an HTTP(S) server's `upgrade` events:
 * `/tasks/stream/{id}?after=N`, `/agents/stream?after=N&epoch=E`, `/metrics/stream?after=N&epoch=E`
 * (message envelope and close codes: stream-message.ts).
 *
 * Every upgrade is authenticated like REST, from the Authorization (or X-API-Key) header, else
 * the `access_token` query parameter, else a `bearer.<token>` Sec-WebSocket-Protocol entry
 * (browsers cannot set headers on a WebSocket; a query token may end up in proxy logs, the
 * sub-protocol does not). Authorization runs before the upgrade too (the task must be the
 * caller's), so failures are plain HTTP answers with the common error body: 401, 404, 400...
 *
 * Memory per connection is bounded: history is read page by page only while the socket's unsent
 * data is under the high-water mark, and a live stream whose peer lets it grow past the mark is
 * closed with 4008 (the peer resumes after the last seq it received). Dead peers are found by
 * ping/pong.
 */
export function attachStreamServer(
  server: HttpServer | HttpsServer,
  options: StreamServerOptions,
): StreamServer {
  const { hub, operations, authenticator, logger } = options;
  const highWaterMark = options.highWaterMarkBytes ?? 1024 * 1024;
  const graceMs = options.slowConsumerGraceMs ?? 5_000;
  const stats: StreamServerStats = {
    open: 0,
    accepted: 0,
    rejected: 0,
    closedSlow: 0,
    closedDead: 0,
    maxBufferedAmount: 0,
  };
  const alive = new WeakMap<WebSocket, boolean>();
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: options.maxPayloadBytes ?? 4096,
    perMessageDeflate: false,
    handleProtocols: (protocols) =>
      protocols.has(STREAM_SUBPROTOCOL)
        ? STREAM_SUBPROTOCOL
        : ([...protocols].find((protocol) => protocol.startsWith(BEARER_PROTOCOL_PREFIX)) ?? false),
  });

  const heartbeat = setInterval(() => {
    for (const ws of wss.clients) {
      if (alive.get(ws) === false) {
        stats.closedDead += 1;
        ws.terminate();
        continue;
      }
      alive.set(ws, false);
      ws.ping();
    }
  }, options.heartbeatIntervalMs ?? 30_000);
  heartbeat.unref();

  const reject = (socket: Duplex, error: unknown): void => {
    stats.rejected += 1;
    const known = error instanceof AppError ? error : undefined;
    if (!known)
      logger.error({ error: error instanceof Error ? error.stack : String(error) }, 'stream upgrade failed');
    const appError = known ?? new AppError('INTERNAL', 'internal error');
    const status = ERROR_CODES[appError.code].http;
    const body = JSON.stringify({
      error: {
        code: appError.code,
        message: appError.message,
        ...(appError.details ? { details: appError.details } : {}),
      },
    });
    if (!socket.writable) {
      socket.destroy();
      return;
    }
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\n` +
        'Content-Type: application/json\r\n' +
        `Content-Length: ${Buffer.byteLength(body)}\r\n` +
        (status === 401 ? 'WWW-Authenticate: Bearer\r\n' : '') +
        'Connection: close\r\n\r\n' +
        body,
    );
  };

  const sinkFor = (ws: WebSocket, socket: Duplex): StreamSink => ({
    send(message: StreamMessage): void {
      if (ws.readyState !== WebSocket.OPEN) return;
      ws.send(JSON.stringify(message));
      stats.maxBufferedAmount = Math.max(stats.maxBufferedAmount, ws.bufferedAmount);
    },
    congested: () => ws.bufferedAmount > highWaterMark,
    drained: () =>
      new Promise<void>((resolve) => {
        if (ws.bufferedAmount <= highWaterMark || ws.readyState !== WebSocket.OPEN) {
          resolve();
          return;
        }
        const done = (): void => {
          socket.off('drain', done);
          ws.off('close', done);
          resolve();
        };
        socket.on('drain', done);
        ws.on('close', done);
      }),
  });

  const closeSlow = (ws: WebSocket, lastSeq: number): void => {
    stats.closedSlow += 1;
    ws.close(STREAM_CLOSE_CODES.slowConsumer, `slow consumer; resume with after=${lastSeq}`);
    // The peer is not reading, so it may never answer the close frame queued behind its data.
    setTimeout(() => ws.terminate(), graceMs).unref();
  };

  const run = async (
    ws: WebSocket,
    socket: Duplex,
    route: Route,
    query: StreamQuery,
    principal: Principal,
  ): Promise<void> => {
    const abort = new AbortController();
    ws.on('close', () => abort.abort());
    ws.on('error', (error) => logger.debug({ error: error.message }, 'stream socket error'));
    ws.on('pong', () => alive.set(ws, true));
    alive.set(ws, true);
    const sink = sinkFor(ws, socket);
    try {
      if (route.kind === 'task') {
        const outcome = await runTaskStream({
          operations,
          principal,
          taskId: route.taskId,
          afterSeq: query.after ?? 0,
          watch: (taskId, listener) => hub.watchTask(taskId, listener),
          sink,
          signal: abort.signal,
        });
        if (outcome.reason === 'final') ws.close(STREAM_CLOSE_CODES.normal, 'task final');
        else if (outcome.reason === 'slow') closeSlow(ws, outcome.lastSeq);
        return;
      }
      const outcome =
        route.kind === 'agents'
          ? await runFeedStream({
              ring: hub.agents,
              epoch: hub.epoch,
              watch: (listener) => hub.watchAgents(listener),
              snapshot: () => operations.listAgents(principal),
              after: query.after,
              resumeEpoch: query.epoch,
              sink,
              signal: abort.signal,
            })
          : await runFeedStream({
              ring: hub.metrics,
              epoch: hub.epoch,
              watch: (listener) => hub.watchMetrics(listener),
              snapshot: () => hub.computeMetrics(principal),
              after: query.after,
              resumeEpoch: query.epoch,
              sink,
              signal: abort.signal,
            });
      if (outcome.reason === 'slow') closeSlow(ws, outcome.lastSeq);
    } catch (error) {
      const known = error instanceof AppError ? error : undefined;
      if (!known)
        logger.error({ error: error instanceof Error ? error.stack : String(error) }, 'stream failed');
      const appError = known ?? new AppError('INTERNAL', 'internal error');
      sink.send({ type: 'error', seq: 0, data: { code: appError.code, message: appError.message } });
      ws.close(1011, appError.code);
    }
  };

  const handle = async (req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> => {
    socket.on('error', () => undefined);
    let route: Route;
    let query: StreamQuery;
    let principal: Principal;
    try {
      const url = new URL(req.url ?? '/', 'http://stream.invalid');
      route = matchRoute(url.pathname);
      await options.beforeUpgrade?.(req);
      query = parseQuery(url.searchParams);
      principal = await authenticator.authenticate(credentials(req, url));
      if (route.kind === 'task') await operations.getTask(principal, route.taskId);
      else if (route.kind === 'agents') await operations.listAgents(principal);
      else await operations.agentMetrics(principal);
    } catch (error) {
      reject(socket, error);
      return;
    }
    if (socket.destroyed) return;
    wss.handleUpgrade(req, socket, head, (ws) => {
      stats.accepted += 1;
      stats.open += 1;
      ws.on('close', () => (stats.open -= 1));
      void run(ws, socket, route, query, principal);
    });
  };

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void =>
    void handle(req, socket, head);
  server.on('upgrade', onUpgrade);

  return {
    stats: () => ({ ...stats }),
    async close() {
      server.off('upgrade', onUpgrade);
      clearInterval(heartbeat);
      const closing = [...wss.clients].map(
        (ws) =>
          new Promise<void>((resolve) => {
            if (ws.readyState === WebSocket.CLOSED) return resolve();
            ws.once('close', () => resolve());
            ws.close(STREAM_CLOSE_CODES.goingAway, 'gateway shutting down');
            setTimeout(() => ws.terminate(), 1_000).unref();
          }),
      );
      await Promise.all(closing);
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}

function matchRoute(pathname: string): Route {
  if (pathname === '/agents/stream') return { kind: 'agents' };
  if (pathname === '/metrics/stream') return { kind: 'metrics' };
  const task = /^\/tasks\/stream\/([^/]+)$/.exec(pathname);
  if (task?.[1]) return { kind: 'task', taskId: decodeURIComponent(task[1]) };
  throw new AppError('ROUTE_NOT_FOUND', `no stream at ${pathname.slice(0, 200)}`);
}

function parseQuery(params: URLSearchParams): StreamQuery {
  const query: StreamQuery = {};
  const after = params.get('after');
  if (after !== null) {
    if (!/^\d{1,15}$/.test(after)) {
      throw new AppError('VALIDATION_FAILED', 'after must be a non-negative integer', {
        details: { issues: [{ path: 'after', message: 'a non-negative integer' }] },
      });
    }
    query.after = Number(after);
  }
  const epoch = params.get('epoch');
  if (epoch !== null) query.epoch = epoch.slice(0, 100);
  return query;
}

function credentials(req: IncomingMessage, url: URL): { authorization?: string; apiKey?: string } {
  const header = req.headers.authorization;
  const apiKey = req.headers['x-api-key'];
  if (header || apiKey) {
    return {
      ...(header ? { authorization: header } : {}),
      ...(typeof apiKey === 'string' ? { apiKey } : {}),
    };
  }
  const token = url.searchParams.get('access_token');
  if (token) return { authorization: `Bearer ${token}` };
  const protocols = (req.headers['sec-websocket-protocol'] ?? '').split(',').map((entry) => entry.trim());
  const bearer = protocols.find((protocol) => protocol.startsWith(BEARER_PROTOCOL_PREFIX));
  if (bearer) return { authorization: `Bearer ${bearer.slice(BEARER_PROTOCOL_PREFIX.length)}` };
  return {};
}
