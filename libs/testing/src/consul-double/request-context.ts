import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CatalogStore } from './catalog-store';
import type { DoubleNode } from './render';

/**
 * What a route handler of the Consul double gets. `access` is the result of the ACL check:
 * `full` when ACLs are off or the request carries the configured token, `anonymous` when it
 * carries none (Consul's anonymous token under a default-deny policy). A request with any other
 * token never reaches a handler: it gets 403 "ACL not found".
 */
export interface RequestContext {
  req: IncomingMessage;
  res: ServerResponse;
  /** Path parameters, URL-decoded. */
  params: string[];
  query: URLSearchParams;
  access: 'full' | 'anonymous';
  store: CatalogStore;
  node: DoubleNode;
  /**
   * Answers a read endpoint with blocking-query semantics: when `?index=N` is given and the
   * query's current index is not above N, waits until a write raises it or `?wait` (default 5 min,
   * at most 10 min, plus up to wait/16 jitter) passes; then `respond` is called with the index to
   * put in X-Consul-Index.
   */
  blocking(indexOf: () => number, respond: (index: number) => void): Promise<void>;
}

export type RouteHandler = (context: RequestContext) => Promise<void> | void;

export interface Route {
  method: string;
  pattern: RegExp;
  handler: RouteHandler;
}

/** Consul's message for a token that lacks a permission (the anonymous token here). */
export function permissionDenied(permission: string, resource: string): string {
  return `Permission denied: anonymous token lacks permission '${permission}' on "${resource}"`;
}
