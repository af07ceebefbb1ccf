import {
  AppError,
  ApiKeyRoleSchema,
  parseOrThrow,
  type ApiKeyStore,
  type StoredApiKey,
} from '@contextforge/contracts';
import express, { Router } from 'express';
import { z } from 'zod';
import { requireJson } from './express-errors';
import { fetchJson } from './fetch-json';

/**
 * The result-store's internal API-key API (cluster mode): gateway replicas keep API keys in the
 * result-store's database through it. Not public, and it carries hashes: the gateway exposes keys
 * to admins only as ApiKeyView (no hash) and authenticates agents against these records.
 *
 * POST /internal/v1/api-keys            StoredApiKey -> 204; 409 API_KEY_EXISTS
 * GET  /internal/v1/api-keys            -> { keys: StoredApiKey[] }
 * GET  /internal/v1/api-keys/:id        -> StoredApiKey; 404 API_KEY_NOT_FOUND
 * POST /internal/v1/api-keys/:id/revoke { at } -> StoredApiKey; 404 API_KEY_NOT_FOUND
 */
const BASE = '/internal/v1/api-keys';
const KeyId = z.string().regex(/^[a-z2-7]{12}$/, 'a 12-character base32 key id');
const StoredApiKeySchema = z.strictObject({
  id: KeyId,
  name: z.string().min(1).max(200),
  role: ApiKeyRoleSchema,
  agentId: z.string().min(1).max(100).optional(),
  hash: z.string().regex(/^[0-9a-f]{64}$/, 'a hex SHA-256'),
  createdBy: z.string().min(1).max(200),
  createdAt: z.iso.datetime({ offset: true }),
  revokedAt: z.iso.datetime({ offset: true }).optional(),
}) satisfies z.ZodType<StoredApiKey>;
const RevokeBody = z.strictObject({ at: z.iso.datetime({ offset: true }) });

export function apiKeyStoreRouter(store: ApiKeyStore): Router {
  const router = Router();
  router.post(BASE, requireJson, express.json(), async (req, res) => {
    await store.create(parseOrThrow(StoredApiKeySchema, req.body, 'API key'));
    res.status(204).end();
  });
  router.get(BASE, async (_req, res) => {
    res.json({ keys: await store.list() });
  });
  // An id that cannot exist (malformed) is simply not found, like any unknown id.
  router.get(`${BASE}/:id`, async (req, res) => {
    const id = String(req.params['id']);
    const key = KeyId.safeParse(id).success ? await store.get(id) : undefined;
    if (!key) throw notFound(id);
    res.json(key);
  });
  router.post(`${BASE}/:id/revoke`, requireJson, express.json(), async (req, res) => {
    const id = String(req.params['id']);
    const { at } = parseOrThrow(RevokeBody, req.body, 'revoke request');
    const key = KeyId.safeParse(id).success ? await store.revoke(id, at) : undefined;
    if (!key) throw notFound(id);
    res.json(key);
  });
  return router;
}

/** ApiKeyStore over the result-store's internal API; an unknown id reads as undefined. */
export class HttpApiKeyStore implements ApiKeyStore {
  constructor(private readonly baseUrl: string) {}

  async create(key: StoredApiKey): Promise<void> {
    await fetchJson(`${this.baseUrl}${BASE}`, { method: 'POST', body: key });
  }

  get(id: string): Promise<StoredApiKey | undefined> {
    return orUndefined(fetchJson<StoredApiKey>(`${this.baseUrl}${BASE}/${encodeURIComponent(id)}`));
  }

  async list(): Promise<StoredApiKey[]> {
    return (await fetchJson<{ keys: StoredApiKey[] }>(`${this.baseUrl}${BASE}`)).keys;
  }

  revoke(id: string, at: string): Promise<StoredApiKey | undefined> {
    return orUndefined(
      fetchJson<StoredApiKey>(`${this.baseUrl}${BASE}/${encodeURIComponent(id)}/revoke`, {
        method: 'POST',
        body: { at },
      }),
    );
  }
}

function notFound(id: string): AppError {
  return new AppError('API_KEY_NOT_FOUND', `no API key ${id.slice(0, 100)}`);
}

async function orUndefined<T>(call: Promise<T>): Promise<T | undefined> {
  try {
    return await call;
  } catch (error) {
    if (error instanceof AppError && error.code === 'API_KEY_NOT_FOUND') return undefined;
    throw error;
  }
}
