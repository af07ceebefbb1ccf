import { indexHeaders } from './catalog-routes';
import { ConsulHttpError, queryFlag, readBody, sendJson } from './http-kit';
import { renderKv } from './render';
import { permissionDenied, type RequestContext, type Route } from './request-context';

/** Consul's limit on a KV value. */
const MAX_VALUE_BYTES = 512 * 1024;

/**
 * The KV store: GET (blocking; `?recurse` for a prefix, `?keys` with `?separator`, `?raw`), PUT
 * (raw body as the value; `?flags`, `?cas`: 0 creates only, N updates only at ModifyIndex N;
 * answers `true`/`false`) and DELETE (`?recurse`, `?cas`). A missing key is 404 with an empty body
 * and the X-Consul-Index header. Reads and writes need `key:read`/`key:write` (403 for anonymous).
 *
 * Left out: sessions and locks (`?acquire`, `?release`; LockIndex stays 0), transactions.
 */
export const kvRoutes: Route[] = [
  { method: 'GET', pattern: /^\/v1\/kv\/(.*)$/, handler: kvGet },
  { method: 'PUT', pattern: /^\/v1\/kv\/(.*)$/, handler: kvPut },
  { method: 'DELETE', pattern: /^\/v1\/kv\/(.*)$/, handler: kvDelete },
];

function selectKeys({ store }: RequestContext, key: string, recurse: boolean): string[] {
  const keys = recurse
    ? [...store.kv.keys()].filter((candidate) => candidate.startsWith(key))
    : store.kv.has(key)
      ? [key]
      : [];
  return keys.sort();
}

async function kvGet(context: RequestContext): Promise<void> {
  const key = context.params[0] ?? '';
  const { query, store, res } = context;
  if (context.access !== 'full') throw new ConsulHttpError(403, permissionDenied('key:read', key));
  const listKeys = query.has('keys');
  const recurse = queryFlag(query, 'recurse') || listKeys;
  await context.blocking(
    () => store.kvIndex,
    (index) => {
      const keys = selectKeys(context, key, recurse);
      const headers = indexHeaders(index);
      if (keys.length === 0) {
        res.writeHead(404, { ...headers, 'Content-Length': 0 });
        res.end();
        return;
      }
      if (listKeys) {
        const separator = query.get('separator') ?? '';
        const listed = new Set(
          keys.map((candidate) => {
            if (!separator) return candidate;
            const at = candidate.indexOf(separator, key.length);
            return at === -1 ? candidate : candidate.slice(0, at + separator.length);
          }),
        );
        sendJson(res, 200, [...listed].sort(), headers);
        return;
      }
      const entries = keys.map((candidate) => store.kv.get(candidate)).filter((entry) => entry !== undefined);
      if (queryFlag(query, 'raw') && entries[0]) {
        res.writeHead(200, {
          ...headers,
          'Content-Type': 'application/octet-stream',
          'Content-Length': entries[0].value.length,
        });
        res.end(entries[0].value);
        return;
      }
      sendJson(res, 200, entries.map(renderKv), headers);
    },
  );
}

async function kvPut(context: RequestContext): Promise<void> {
  const key = context.params[0] ?? '';
  const { query, store, res } = context;
  if (key === '') throw new ConsulHttpError(400, 'Missing key name');
  if (context.access !== 'full') throw new ConsulHttpError(403, permissionDenied('key:write', key));
  const value = await readBody(context.req, MAX_VALUE_BYTES);
  const flags = parseUint(query.get('flags'), 'flags') ?? 0;
  const cas = parseUint(query.get('cas'), 'cas');
  const existing = store.kv.get(key);
  if (cas !== undefined && (cas === 0 ? existing !== undefined : existing?.modifyIndex !== cas)) {
    sendJson(res, 200, false);
    return;
  }
  store.kvWrite({ key, value, flags });
  sendJson(res, 200, true);
}

function kvDelete(context: RequestContext): void {
  const key = context.params[0] ?? '';
  const { query, store, res } = context;
  if (context.access !== 'full') throw new ConsulHttpError(403, permissionDenied('key:write', key));
  const cas = parseUint(query.get('cas'), 'cas');
  const recurse = queryFlag(query, 'recurse');
  if (key === '' && !recurse) throw new ConsulHttpError(400, 'Missing key name');
  if (cas !== undefined) {
    if (recurse) throw new ConsulHttpError(400, 'Conflicting flags: cas=&recurse');
    const existing = store.kv.get(key);
    if (existing && existing.modifyIndex !== cas) {
      sendJson(res, 200, false);
      return;
    }
  }
  store.kvDelete(selectKeys(context, key, recurse));
  sendJson(res, 200, true);
}

function parseUint(value: string | null, name: string): number | undefined {
  if (value === null) return undefined;
  if (!/^\d+$/.test(value)) throw new ConsulHttpError(400, `Invalid ${name} value: ${value}`);
  return Number(value);
}
