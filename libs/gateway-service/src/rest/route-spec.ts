import type { ErrorCode, Principal } from '@contextforge/contracts';
import type { IncomingMessage } from 'node:http';
import type { z } from 'zod';
import type { GatewayOperations } from '../operations';

/**
 * One REST endpoint, declared once. The Express routes, the OpenAPI document and the docs page are
 * all generated from the table of these (routes.ts), so what is served and what is documented
 * cannot drift apart.
 *
 * - `path` is in OpenAPI form (`/tasks/{id}`); path parameters are documented by `params` but not
 *   validated here: the operations answer a malformed id exactly like an unknown one (404).
 * - `query` and `body` are validated with their schema before the handler runs (VALIDATION_FAILED
 *   naming each field); the operations validate again, for the protocols that have no route table.
 * - `responses` lists the success statuses with their schema (output shape); `errors` lists the
 *   error codes the endpoint answers with, each documented with the one ErrorResponse schema.
 *   401 (for `auth` routes), 429 and 500 are added to every endpoint.
 */
export type HttpMethod = 'GET' | 'POST' | 'DELETE';

export interface SuccessResponse {
  description: string;
  /** Absent for an empty answer (204). */
  schema?: z.ZodType;
  /** text/html answers carry an HTML string; the default is JSON. */
  contentType?: 'application/json' | 'text/html';
  headers?: Record<string, { description: string; required?: boolean }>;
}

/** What a handler answers; the Express layer renders it. */
export interface Reply {
  status: number;
  /** JSON body, or the HTML string of a text/html answer; absent for an empty answer. */
  body?: unknown;
  headers?: Record<string, string>;
}

/** What every handler can use besides the request. */
export interface RouteServices {
  operations: GatewayOperations;
  /** Readiness of the dependencies (GET /readyz). */
  ready(): Promise<boolean>;
  /** The generated OpenAPI document and its HTML rendering (built once). */
  openApiDocument(): unknown;
  docsPage(): string;
  /** The operations dashboard and the security headers it is served with (built once). */
  dashboardPage(): { html: string; headers: Record<string, string> };
}

export interface RouteInput<B> {
  services: RouteServices;
  /** Raw path parameters, decoded. */
  params: Readonly<Record<string, string>>;
  /** A request in one of the route's `rawBody` media types: the body unread, as a stream. */
  raw?: IncomingMessage;
  /** The query after validation with the route's `query` schema (or the raw query without one). */
  query: unknown;
  /** The body after validation with the route's `body` schema. */
  body: B;
}

interface RouteBase<B extends z.ZodType> {
  method: HttpMethod;
  path: string;
  /** Unique, camelCase: the OpenAPI operationId. */
  operationId: string;
  summary: string;
  description?: string;
  tags: readonly string[];
  params?: z.ZodObject;
  query?: z.ZodObject;
  body?: B;
  /**
   * Media types the route also takes, besides the JSON `body`, as a stream it reads itself (an
   * uploaded archive): such a request skips the JSON body reader and the handler gets `raw`.
   */
  rawBody?: { contentTypes: readonly string[]; description: string };
  responses: Readonly<Record<number, SuccessResponse>>;
  errors: readonly ErrorCode[];
}

export interface AuthenticatedRoute<B extends z.ZodType = z.ZodType> extends RouteBase<B> {
  auth: true;
  handler(input: RouteInput<z.output<B>> & { principal: Principal }): Promise<Reply>;
}

export interface PublicRoute<B extends z.ZodType = z.ZodType> extends RouteBase<B> {
  auth: false;
  handler(input: RouteInput<z.output<B>>): Promise<Reply>;
}

export type RouteSpec = AuthenticatedRoute | PublicRoute;

/** Keeps the body type of one route while the table holds them all as RouteSpec. */
export function defineRoute<B extends z.ZodType = z.ZodUnknown>(
  route: AuthenticatedRoute<B> | PublicRoute<B>,
): RouteSpec {
  return route as unknown as RouteSpec;
}

/** `/tasks/{id}` -> `/tasks/:id` (Express 5 path syntax). */
export function toExpressPath(path: string): string {
  return path.replace(/\{([A-Za-z0-9_]+)\}/g, ':$1');
}
