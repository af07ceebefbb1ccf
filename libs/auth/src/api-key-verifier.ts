import {
  AppError,
  type ApiKeyStore,
  type Principal,
  type Role,
  type StoredApiKey,
} from '@contextforge/contracts';
import { apiKeyId, apiKeyMatches } from './api-keys';
import { unauthenticated } from './auth-failure';

export const DEFAULT_API_KEY_CACHE_TTL_MS = 2_000;
/** Principal ids of API keys are `agent-key:<key id>`. */
export const AGENT_KEY_PRINCIPAL_PREFIX = 'agent-key:';
const MAX_CACHE_ENTRIES = 10_000;

export interface ApiKeyVerifierOptions {
  store: ApiKeyStore;
  /**
   * How long a found key record is reused before the store is asked again (default 2 s, 0 = never
   * cached). This bounds how long a revocation made through another gateway replica takes to
   * apply here; `invalidate` applies one made here at once. Unknown ids are never cached.
   */
  cacheTtlMs?: number;
  now?: () => number;
}

/**
 * Checks `cfk_` API keys against their stored SHA-256 hash (constant-time) and turns them into
 * agent Principals: `agent-key:<id>`, roles ['agent'], or ['agent', 'admin'] for admin keys.
 * An unknown id and a wrong secret get the same answer, so the answer does not tell which ids exist.
 */
export interface ApiKeyVerifier {
  verify(key: string): Promise<Principal>;
  /** Forgets a cached record, e.g. right after revoking it. */
  invalidate(id: string): void;
}

interface CacheEntry {
  record: Promise<StoredApiKey | undefined>;
  expiresAt: number;
}

export function createApiKeyVerifier(options: ApiKeyVerifierOptions): ApiKeyVerifier {
  const { store } = options;
  const ttl = options.cacheTtlMs ?? DEFAULT_API_KEY_CACHE_TTL_MS;
  const now = options.now ?? Date.now;
  if (!Number.isFinite(ttl) || ttl < 0) {
    throw new AppError('CONFIG_INVALID', 'the API key cache TTL must be a non-negative number of ms');
  }
  // Promises are cached so that concurrent requests with one key share one store read.
  const cache = new Map<string, CacheEntry>();

  function lookup(id: string): Promise<StoredApiKey | undefined> {
    const cached = cache.get(id);
    if (cached !== undefined && cached.expiresAt > now()) return cached.record;
    const record = readRecord(store, id);
    if (ttl > 0) {
      const entry = { record, expiresAt: now() + ttl };
      if (cache.size >= MAX_CACHE_ENTRIES) cache.delete(cache.keys().next().value as string);
      cache.set(id, entry);
      const forget = (): void => {
        if (cache.get(id) === entry) cache.delete(id);
      };
      record.then((found) => found ?? forget(), forget);
    }
    return record;
  }

  return {
    async verify(key) {
      const id = apiKeyId(key);
      if (id === undefined) {
        throw unauthenticated(
          'malformed_api_key',
          'the API key is malformed (expected cfk_<12-character id>_<43-character secret>)',
        );
      }
      const record = await lookup(id);
      if (record === undefined || record.id !== id || !apiKeyMatches(key, record.hash)) {
        throw unauthenticated('invalid_api_key', 'the API key is not valid (unknown key or wrong secret)');
      }
      if (record.revokedAt !== undefined)
        throw unauthenticated('revoked_api_key', 'the API key has been revoked');
      const roles: Role[] = record.role === 'admin' ? ['agent', 'admin'] : ['agent'];
      return {
        kind: 'agent',
        id: `${AGENT_KEY_PRINCIPAL_PREFIX}${id}`,
        roles,
        keyId: id,
        ...(record.agentId === undefined ? {} : { agentId: record.agentId }),
      };
    },
    invalidate(id) {
      cache.delete(id);
    },
  };
}

async function readRecord(store: ApiKeyStore, id: string): Promise<StoredApiKey | undefined> {
  try {
    return await store.get(id);
  } catch (error) {
    throw new AppError('SERVICE_UNAVAILABLE', 'the API key store cannot be read', { cause: error });
  }
}
