import type { MetricsRegistry } from '@contextforge/observability';
import type { Request, RequestHandler } from 'express';

/**
 * Counts every request and times it into contextforge_http_requests_total and
 * contextforge_http_request_duration_seconds. The `route` label is the matched route pattern
 * (`/tasks/:id`), never the raw path, so the number of series stays bounded; requests that matched
 * no route (404s, and those refused before routing, e.g. by the rate limiter) share `unmatched`.
 * Mount it first.
 */
export function httpMetrics(metrics: MetricsRegistry, service: string): RequestHandler {
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    res.once('finish', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const labels = { service, method: req.method, route: routePattern(req) };
      metrics.httpRequests.inc({ ...labels, status: String(res.statusCode) });
      metrics.httpRequestDuration.observe(labels, seconds);
    });
    next();
  };
}

/** GET /metrics: the Prometheus text exposition of the process's registry. */
export function metricsEndpoint(metrics: MetricsRegistry): RequestHandler {
  return (_req, res, next) => {
    metrics.exposition().then((text) => {
      res.setHeader('content-type', metrics.contentType);
      res.send(text);
    }, next);
  };
}

function routePattern(req: Request): string {
  const route = (req as Request & { route?: { path?: unknown } }).route;
  if (!route || typeof route.path !== 'string') return 'unmatched';
  return `${req.baseUrl}${route.path}` || '/';
}
