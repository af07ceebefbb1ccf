import type { Logger, MetricsRegistry } from '@contextforge/observability';
import express, { type Express, type Router } from 'express';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { errorHandler, routeNotFound } from './express-errors';
import { httpMetrics, metricsEndpoint } from './http-metrics';

export interface ServiceAppOptions {
  logger: Logger;
  routers?: Router[];
  ready?: () => Promise<boolean>;
  /**
   * The process's metrics: requests are counted under `service`, and GET /metrics serves the
   * registry in the Prometheus text format. Without it there is no /metrics.
   */
  metrics?: { registry: MetricsRegistry; service: string };
}

/** An internal service's HTTP face: /healthz, /readyz, /metrics, its routers, our error shape. */
export function createServiceApp(options: ServiceAppOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  if (options.metrics) {
    app.use(httpMetrics(options.metrics.registry, options.metrics.service));
    app.get('/metrics', metricsEndpoint(options.metrics.registry));
  }
  app.get('/healthz', (_req, res) => void res.json({ status: 'ok' }));
  app.get('/readyz', async (_req, res) => {
    const ready = options.ready ? await options.ready().catch(() => false) : true;
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not_ready' });
  });
  for (const router of options.routers ?? []) app.use(router);
  app.use(routeNotFound);
  app.use(errorHandler(options.logger));
  return app;
}

/** Listens; resolves with the bound port and a close function. */
export async function listen(
  app: Express,
  port: number,
  host = '0.0.0.0',
): Promise<{ port: number; server: Server; close(): Promise<void> }> {
  const server = createServer(app);
  server.headersTimeout = 20_000;
  server.requestTimeout = 120_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  };
}
