import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeAnswer {
  status: number;
  body?: unknown;
}

/**
 * A tiny HTTP server standing in for a gateway in the CLI's in-process tests: it answers
 * `METHOD /path` from a table (anything else: 404 ROUTE_NOT_FOUND, like the real gateway) and
 * records every request. The CLI against the real gateway is tested in apps/embedded/test.
 */
export class FakeGateway {
  readonly requests: Array<{ method: string; url: string; authorization?: string }> = [];
  private server: Server | undefined;

  constructor(private readonly routes: Record<string, FakeAnswer>) {}

  async start(): Promise<string> {
    this.server = createServer((req: IncomingMessage, res: ServerResponse) => {
      this.requests.push({
        method: req.method ?? '',
        url: req.url ?? '',
        ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}),
      });
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      const answer = this.routes[`${req.method} ${path}`] ?? {
        status: 404,
        body: { error: { code: 'ROUTE_NOT_FOUND', message: `no route ${req.method} ${path}` } },
      };
      res.writeHead(answer.status, { 'content-type': 'application/json' });
      res.end(answer.body === undefined ? '' : JSON.stringify(answer.body));
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

/** A URL where nothing listens (a port that was just free). */
export async function closedGatewayUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}
