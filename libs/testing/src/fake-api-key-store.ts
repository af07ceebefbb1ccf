import { AppError, apiKeyView, type ApiKeyStore, type StoredApiKey } from '@contextforge/contracts';

/**
 * An ApiKeyStore in a map, for the tests of what sits around the port (the authenticator's cache,
 * the internal HTTP API, the gateway's key operations); the product's memory adapter is
 * libs/persistence's MemoryApiKeyStore. Keeps what the port's contract suite asks: API_KEY_EXISTS
 * on a taken id, the first revocation wins, millisecond ISO timestamps, listing by creation then
 * id, copies out. Counts `get` calls and can be made to fail.
 */
export class FakeApiKeyStore implements ApiKeyStore {
  readonly records = new Map<string, StoredApiKey>();
  /** How many times `get` was called. */
  reads = 0;
  /** While set, every call rejects with it (a store outage). */
  failure: unknown;
  /** Thrown by the next call only (an unexpected failure of the store). */
  failWith: unknown;

  async create(key: StoredApiKey): Promise<void> {
    this.check();
    if (this.records.has(key.id)) throw new AppError('API_KEY_EXISTS', `key ${key.id} exists`);
    this.records.set(key.id, {
      ...key,
      createdAt: iso(key.createdAt),
      ...(key.revokedAt === undefined ? {} : { revokedAt: iso(key.revokedAt) }),
    });
  }

  async get(id: string): Promise<StoredApiKey | undefined> {
    this.reads += 1;
    this.check();
    const key = this.records.get(id);
    return key && { ...key };
  }

  async list(): Promise<StoredApiKey[]> {
    this.check();
    return [...this.records.values()]
      .sort((a, b) =>
        a.createdAt === b.createdAt ? (a.id < b.id ? -1 : 1) : a.createdAt < b.createdAt ? -1 : 1,
      )
      .map((key) => ({ ...key }));
  }

  async revoke(id: string, at: string): Promise<StoredApiKey | undefined> {
    this.check();
    const key = this.records.get(id);
    if (!key) return undefined;
    key.revokedAt ??= iso(at);
    return { ...key };
  }

  /** The API view of every key, for assertions. */
  views() {
    return [...this.records.values()].map(apiKeyView);
  }

  private check(): void {
    if (this.failure !== undefined) throw this.failure;
    if (this.failWith === undefined) return;
    const error = this.failWith;
    this.failWith = undefined;
    throw error;
  }
}

function iso(value: string): string {
  return new Date(value).toISOString();
}
