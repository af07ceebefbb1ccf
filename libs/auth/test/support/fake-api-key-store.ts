import type { ApiKeyStore, StoredApiKey } from '@contextforge/contracts';

/**
 * A Map-backed ApiKeyStore test double that counts reads and can be made to fail, for testing the
 * verifier's cache and outage handling. Not the product's memory adapter (libs/persistence has that).
 */
export class FakeApiKeyStore implements ApiKeyStore {
  readonly records = new Map<string, StoredApiKey>();
  /** How many times `get` was called. */
  reads = 0;
  /** When set, every call rejects with it (a store outage). */
  failure: Error | undefined;

  async create(key: StoredApiKey): Promise<void> {
    this.check();
    if (this.records.has(key.id)) throw new Error(`FakeApiKeyStore: key ${key.id} exists`);
    this.records.set(key.id, { ...key });
  }

  async get(id: string): Promise<StoredApiKey | undefined> {
    this.reads += 1;
    this.check();
    const record = this.records.get(id);
    return record && { ...record };
  }

  async list(): Promise<StoredApiKey[]> {
    this.check();
    return [...this.records.values()].map((record) => ({ ...record }));
  }

  async revoke(id: string, at: string): Promise<StoredApiKey | undefined> {
    this.check();
    const record = this.records.get(id);
    if (record === undefined) return undefined;
    record.revokedAt ??= at;
    return { ...record };
  }

  private check(): void {
    if (this.failure) throw this.failure;
  }
}
