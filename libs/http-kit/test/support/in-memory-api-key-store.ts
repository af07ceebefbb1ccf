import { AppError, type ApiKeyStore, type StoredApiKey } from '@contextforge/contracts';

/**
 * An ApiKeyStore in a map, for testing the HTTP router and client around it (persistence's
 * MemoryApiKeyStore is out of reach: http-kit may not depend on another adapter). Keeps what the
 * contract suite asks: API_KEY_EXISTS, first revocation wins, millisecond ISO timestamps, listing
 * by creation then id, copies out.
 */
export class InMemoryApiKeyStore implements ApiKeyStore {
  private readonly keys = new Map<string, StoredApiKey>();
  /** Thrown by the next call while set (an unexpected failure of the store). */
  failWith: unknown;

  async create(key: StoredApiKey): Promise<void> {
    this.maybeFail();
    if (this.keys.has(key.id)) throw new AppError('API_KEY_EXISTS', `key ${key.id} exists`);
    this.keys.set(key.id, {
      ...key,
      createdAt: iso(key.createdAt),
      ...(key.revokedAt === undefined ? {} : { revokedAt: iso(key.revokedAt) }),
    });
  }

  async get(id: string): Promise<StoredApiKey | undefined> {
    this.maybeFail();
    const key = this.keys.get(id);
    return key && { ...key };
  }

  async list(): Promise<StoredApiKey[]> {
    this.maybeFail();
    return [...this.keys.values()]
      .sort((a, b) =>
        a.createdAt === b.createdAt ? (a.id < b.id ? -1 : 1) : a.createdAt < b.createdAt ? -1 : 1,
      )
      .map((key) => ({ ...key }));
  }

  async revoke(id: string, at: string): Promise<StoredApiKey | undefined> {
    this.maybeFail();
    const key = this.keys.get(id);
    if (!key) return undefined;
    key.revokedAt ??= iso(at);
    return { ...key };
  }

  private maybeFail(): void {
    if (this.failWith === undefined) return;
    const error = this.failWith;
    this.failWith = undefined;
    throw error;
  }
}

function iso(value: string): string {
  return new Date(value).toISOString();
}
