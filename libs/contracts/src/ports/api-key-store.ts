import type { StoredApiKey } from '../auth';

/**
 * Where API key records live (the result-store's database in the product; memory in tests and
 * in the embedded mode when configured so). Holds hashes only: generating keys and checking them
 * is libs/auth's job.
 *
 * Guarantees (contract suite): `create` fails with a conflict for an existing id; `revoke` is
 * idempotent and keeps the first revocation time; revoked keys stay listed (audit) and `get`
 * returns them with `revokedAt` set.
 *
 * Left out: key expiry (rotate by creating a new key and revoking the old one) and deletion.
 */
export interface ApiKeyStore {
  create(key: StoredApiKey): Promise<void>;
  get(id: string): Promise<StoredApiKey | undefined>;
  list(): Promise<StoredApiKey[]>;
  /** Marks the key revoked (at `at`, ISO time) and returns it; undefined for an unknown id. */
  revoke(id: string, at: string): Promise<StoredApiKey | undefined>;
}
