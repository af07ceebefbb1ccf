import type { Authenticator } from '@contextforge/contracts';
import type { Logger, MetricsRegistry } from '@contextforge/observability';
import express, { type Express, type RequestHandler } from 'express';
import type { Server } from 'node:http';
import {
  errorHandler,
  httpMetrics,
  listen,
  metricsEndpoint,
  requireJson,
  routeNotFound,
} from '@contextforge/http-kit';
import { renderDashboardPage } from './dashboard/dashboard-page';
import type { GatewayOperations } from './operations';
import { renderDocsPage } from './rest/docs-page';
import { mountRoutes } from './rest/express-routes';
import { buildOpenApiDocument, type OpenApiDocument, type OpenApiOptions } from './rest/openapi';
import { GATEWAY_ROUTES } from './rest/routes';

export interface GatewayOptions {
  /** The use cases (createGatewayOperations); the same instance serves streams and gRPC. */
  operations: GatewayOperations;
  /** Turns Authorization / X-API-Key into a Principal (libs/auth in the product). */
  authenticator: Authenticator;
  logger: Logger;
  /** Largest accepted request body in bytes (seed: 100 MB); used by the default `jsonBody`. */
  bodyLimitBytes: number;
  /** Readiness of the dependencies; /readyz answers 503 while it resolves false. */
  ready?: () => Promise<boolean>;
  /**
   * Middleware run before every route and before 404/405 (e.g. the per-IP rate limiter and
   * request guards of libs/edge). Errors they pass to `next` are rendered in the common shape.
   */
  beforeRoutes?: readonly RequestHandler[];
  /**
   * Reads the JSON body of routes that take one, after authentication. Default: requireJson (415
   * for other media types) then express.json limited to bodyLimitBytes (413 above it).
   */
  jsonBody?: RequestHandler | readonly RequestHandler[];
  /** Title, version and servers of the OpenAPI document. */
  openApi?: OpenApiOptions;
  /**
   * The process's Prometheus metrics: every request is counted (service `gateway`, route = the
   * route pattern) and GET /metrics serves the registry. /metrics is outside the API: not in
   * GATEWAY_ROUTES or the OpenAPI document, unauthenticated like /healthz and ahead of
   * `beforeRoutes` (so scrapes are never rate limited); keep it off the public ingress.
   */
  metrics?: MetricsRegistry;
}

/**
 * The public HTTP API. `createGatewayApp` builds the Express app without listening (tests inject
 * requests); `Gateway.listen` serves it. Routes, /openapi.json, /docs and /dashboard all come
 * from GATEWAY_ROUTES (src/rest/routes.ts).
 */
export function createGatewayApp(options: GatewayOptions): Express {
  const document = buildOpenApiDocument(GATEWAY_ROUTES, options.openApi);
  const docsPage = renderDocsPage(document);
  const dashboardPage = renderDashboardPage();
  const jsonBody = options.jsonBody ?? [
    requireJson,
    express.json({ limit: options.bodyLimitBytes, strict: false }),
  ];

  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  if (options.metrics) {
    app.use(httpMetrics(options.metrics, 'gateway'));
    app.get('/metrics', metricsEndpoint(options.metrics));
  }
  for (const handler of options.beforeRoutes ?? []) app.use(handler);
  mountRoutes(app, GATEWAY_ROUTES, {
    authenticator: options.authenticator,
    jsonBody: Array.isArray(jsonBody) ? jsonBody : [jsonBody as RequestHandler],
    services: {
      operations: options.operations,
      ready: options.ready ?? (async () => true),
      openApiDocument: () => document,
      docsPage: () => docsPage,
      dashboardPage: () => dashboardPage,
    },
  });
  app.use(routeNotFound);
  app.use(errorHandler(options.logger));
  return app;
}

/** The OpenAPI document of the gateway's REST API (what GET /openapi.json answers). */
export function gatewayOpenApiDocument(options?: OpenApiOptions): OpenApiDocument {
  return buildOpenApiDocument(GATEWAY_ROUTES, options);
}

export class Gateway {
  private server: { server: Server; close(): Promise<void> } | undefined;

  constructor(private readonly options: GatewayOptions) {}

  /** Listens and resolves with the bound port (pass 0 for an ephemeral one). */
  async listen(port: number, host = '0.0.0.0'): Promise<number> {
    const server = await listen(createGatewayApp(this.options), port, host);
    this.server = server;
    return server.port;
  }

  /** The listening HTTP server (for WebSocket upgrades), once `listen` resolved. */
  get httpServer(): Server | undefined {
    return this.server?.server;
  }

  async close(): Promise<void> {
    await this.server?.close();
  }
}
