import {
  AppError,
  AssignmentSchema,
  CancelAssignmentSchema,
  ERROR_CODES,
  parseOrThrow,
  toSerializedError,
  type AgentEndpoint,
} from '@contextforge/contracts';
import type { Logger } from '@contextforge/observability';
import type { TlsMaterial } from '@contextforge/tls';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';

export interface AgentHttpServerOptions {
  port: number;
  host?: string;
  /** Largest assignment body in bytes (default 110 MB: a 100 MB task input plus envelope). */
  bodyLimitBytes?: number;
  /** Where an unexpected error (a bug, answered as 500 INTERNAL "internal error") is logged. */
  logger?: Logger;
  /**
   * Serve HTTPS on this material (TLS 1.3; with its requireClientCert, mTLS: only callers with a
   * certificate from its CA, and pinned keys when configured). Reloaded files apply to new
   * connections. Unset: plain HTTP.
   */
  tls?: TlsMaterial;
  /** Serve GET /metrics from this registry (a MetricsRegistry from libs/observability fits). */
  metrics?: { readonly contentType: string; exposition(): Promise<string> };
}

const CANCEL_PATH = /^\/v1\/assignments\/([^/]+)\/(\d+)\/cancel$/;

/**
 * The agent's side of direct dispatch, on node:http or node:https (no framework: three routes).
 * Also serves /healthz and /readyz for Kubernetes probes (with mTLS, probes need a client
 * certificate too: use exec probes or a TCP check).
 */
export async function serveAgentEndpoint(
  agent: AgentEndpoint,
  options: AgentHttpServerOptions,
): Promise<{ port: number; close(): Promise<void> }> {
  const limit = options.bodyLimitBytes ?? 110 * 1024 * 1024;
  const listener = (req: IncomingMessage, res: ServerResponse) => {
    handle(agent, req, res, limit, options.metrics).catch((error: unknown) => {
      if (!(error instanceof AppError)) {
        options.logger?.error(
          { err: error instanceof Error ? error.stack : String(error), path: req.url },
          'unhandled error',
        );
      }
      reply(res, undefined, error);
    });
  };
  let server: Server;
  let detach: (() => void) | undefined;
  if (options.tls) {
    const https = createHttpsServer(options.tls.serverOptions(), listener);
    detach = options.tls.attach(https);
    server = https;
  } else {
    server = createServer(listener);
  }
  server.headersTimeout = 10_000;
  server.requestTimeout = 60_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '0.0.0.0', () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        detach?.();
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  };
}

async function handle(
  agent: AgentEndpoint,
  req: IncomingMessage,
  res: ServerResponse,
  limit: number,
  metrics: AgentHttpServerOptions['metrics'],
) {
  const url = req.url ?? '/';
  if (metrics && req.method === 'GET' && url === '/metrics') {
    const text = await metrics.exposition();
    res.writeHead(200, { 'content-type': metrics.contentType });
    res.end(text);
    return;
  }
  if (req.method === 'GET' && (url === '/healthz' || url === '/v1/load')) {
    reply(res, 200, url === '/healthz' ? { status: 'ok' } : agent.load());
    return;
  }
  if (req.method === 'GET' && url === '/readyz') {
    const load = agent.load();
    reply(res, load.draining ? 503 : 200, { status: load.draining ? 'draining' : 'ready' });
    return;
  }
  if (req.method === 'POST' && url === '/v1/assignments') {
    const assignment = parseOrThrow(AssignmentSchema, await readJson(req, limit), 'assignment');
    await agent.accept(assignment);
    reply(res, 202, { accepted: true });
    return;
  }
  const cancel = req.method === 'POST' ? CANCEL_PATH.exec(url) : null;
  if (cancel) {
    const { reason } = parseOrThrow(CancelAssignmentSchema, await readJson(req, limit), 'cancel request');
    await agent.cancel(decodeURIComponent(cancel[1] ?? ''), Number(cancel[2]), reason);
    reply(res, 202, { cancelled: true });
    return;
  }
  const allowed = allowedMethods(url);
  if (allowed) {
    res.setHeader('Allow', allowed);
    throw new AppError('METHOD_NOT_ALLOWED', `${req.method} is not allowed on ${url}; use ${allowed}`, {
      details: { allowed: [allowed] },
    });
  }
  throw new AppError('ROUTE_NOT_FOUND', `no endpoint ${req.method} ${url}`);
}

function allowedMethods(url: string): string | undefined {
  if (url === '/healthz' || url === '/readyz' || url === '/v1/load') return 'GET';
  if (url === '/v1/assignments' || CANCEL_PATH.test(url)) return 'POST';
  return undefined;
}

async function readJson(req: IncomingMessage, limit: number): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new AppError('PAYLOAD_TOO_LARGE', `the body is larger than ${limit} bytes`);
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch (error) {
    throw new AppError('MALFORMED_JSON', `the body is not valid JSON: ${(error as Error).message}`);
  }
}

function reply(res: ServerResponse, status: number | undefined, body: unknown): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  if (status === undefined) {
    // The one error shape of every service (docs/api/errors.md): code, message, optional details.
    // Anything that is not an AppError is a bug here; its message stays in the process.
    const known = body instanceof AppError;
    const { code, message, details } = known
      ? toSerializedError(body)
      : { code: 'INTERNAL' as const, message: 'internal error', details: undefined };
    res.writeHead(ERROR_CODES[code].http, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: { code, message, ...(details ? { details } : {}) } }));
    return;
  }
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}
