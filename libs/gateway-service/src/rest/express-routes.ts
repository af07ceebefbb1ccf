import { AppError, parseOrThrow, type Authenticator, type Principal } from '@contextforge/contracts';
import { methodNotAllowed } from '@contextforge/http-kit';
import { runWithRemoteContext, withSpan } from '@contextforge/observability';
import type { Express, Request, RequestHandler, Response } from 'express';
import { toExpressPath, type HttpMethod, type Reply, type RouteServices, type RouteSpec } from './route-spec';

export interface MountOptions {
  authenticator: Authenticator;
  services: RouteServices;
  /** Reads a JSON body into req.body (and refuses other media types) for routes that take one. */
  jsonBody: readonly RequestHandler[];
}

const EXPRESS_METHOD = { GET: 'get', POST: 'post', DELETE: 'delete' } as const satisfies Record<
  HttpMethod,
  string
>;

const headerValue = (value: string | string[] | undefined): string | undefined =>
  Array.isArray(value) ? value[0] : value;

/**
 * Resolves the Principal before the body is read, so unauthenticated requests never cost a body
 * parse. A 401 carries `WWW-Authenticate: Bearer` (RFC 6750).
 */
function authenticate(authenticator: Authenticator): RequestHandler {
  return async (req, res, next) => {
    try {
      const authorization = headerValue(req.headers.authorization);
      const apiKey = headerValue(req.headers['x-api-key']);
      res.locals['principal'] = await authenticator.authenticate({
        ...(authorization === undefined ? {} : { authorization }),
        ...(apiKey === undefined ? {} : { apiKey }),
      });
      next();
    } catch (error) {
      if (error instanceof AppError && error.code === 'UNAUTHENTICATED') {
        res.setHeader('WWW-Authenticate', 'Bearer');
      }
      next(error);
    }
  };
}

function send(res: Response, route: RouteSpec, reply: Reply): void {
  for (const [name, value] of Object.entries(reply.headers ?? {})) res.setHeader(name, value);
  res.status(reply.status);
  if (reply.body === undefined) {
    res.end();
  } else if (route.responses[reply.status]?.contentType === 'text/html') {
    res.type('html').send(String(reply.body));
  } else {
    res.json(reply.body);
  }
}

/** Whether the request is in one of the route's raw media types (then its body is left unread). */
function isRaw(route: RouteSpec, req: Request): boolean {
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  return route.rawBody?.contentTypes.includes(type) ?? false;
}

function runRoute(route: RouteSpec, services: RouteServices): RequestHandler {
  return async (req: Request, res: Response) => {
    const raw = isRaw(route, req);
    const query = route.query && !raw ? parseOrThrow(route.query, req.query, 'query') : req.query;
    const body: unknown = route.body && !raw ? parseOrThrow(route.body, req.body, 'request body') : undefined;
    const params = req.params as Record<string, string>;
    const input = { services, params, query, body, ...(raw ? { raw: req } : {}) };
    try {
      // Each API call is a span (a child of the caller's traceparent, if any); the work it starts,
      // e.g. a task, continues its trace. Unauthenticated routes (probes, docs) are not traced.
      const reply = route.auth
        ? await runWithRemoteContext(req.headers, () =>
            withSpan(
              `gateway ${route.method} ${route.path}`,
              { 'http.request.method': route.method, 'http.route': route.path },
              () => route.handler({ ...input, principal: res.locals['principal'] as Principal }),
              'server',
            ),
          )
        : await route.handler(input);
      send(res, route, reply);
    } catch (error) {
      // A raw body the handler stopped reading is not drained.
      if (raw && !req.complete) res.setHeader('Connection', 'close');
      throw error;
    }
  };
}

/**
 * Mounts the route table on `app`: per path, the routes in table order, then 405 with Allow for
 * any other method. Paths are registered in the order they first appear in the table, so fixed
 * paths declared before parameterised ones win.
 */
export function mountRoutes(app: Express, routes: readonly RouteSpec[], options: MountOptions): void {
  const byPath = new Map<string, RouteSpec[]>();
  for (const route of routes) byPath.set(route.path, [...(byPath.get(route.path) ?? []), route]);
  const auth = authenticate(options.authenticator);
  for (const [path, pathRoutes] of byPath) {
    const expressRoute = app.route(toExpressPath(path));
    for (const route of pathRoutes) {
      const handlers: RequestHandler[] = [
        ...(route.auth ? [auth] : []),
        ...(route.body
          ? options.jsonBody.map(
              (reader): RequestHandler =>
                (req, res, next) =>
                  isRaw(route, req) ? next() : reader(req, res, next),
            )
          : []),
        runRoute(route, options.services),
      ];
      expressRoute[EXPRESS_METHOD[route.method]](...handlers);
    }
    expressRoute.all(methodNotAllowed(pathRoutes.map((route) => route.method)));
  }
}
