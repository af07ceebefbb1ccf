import { createHash, randomBytes } from 'node:crypto';
import type { ApiKeyStore, StoredApiKey } from '@contextforge/contracts';

/** What an ApiKeyStore adapter under test hands the contract suite. */
export interface ApiKeyStoreContractSubject {
  /** Ready to use. The suite shares it between its tests; each test uses keys of its own. */
  store: ApiKeyStore;
  /** Closes the store and whatever the factory started. */
  cleanup(): Promise<void>;
}

export type ApiKeyStoreContractFactory = () => Promise<ApiKeyStoreContractSubject>;

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

/**
 * A stored key record as libs/auth would make it: a fresh 12-character base32 id and the SHA-256
 * of a (never stored) key. Timestamps at millisecond precision, as stores keep them.
 */
export function buildStoredApiKey(overrides: Partial<StoredApiKey> = {}): StoredApiKey {
  const id = Array.from(randomBytes(12), (byte) => BASE32[byte % 32]).join('');
  const key = `cfk_${id}_${randomBytes(32).toString('base64url')}`;
  return {
    id,
    name: 'agents in eu-west-1',
    role: 'agent',
    hash: createHash('sha256').update(key).digest('hex'),
    createdBy: 'admin-1',
    createdAt: new Date().toISOString(),
    ...overrides,
  };
}

/**
 * The behaviour every ApiKeyStore adapter must show (see the port's doc comment), run against
 * memory, PGlite and PostgreSQL (and the HTTP client over the result-store's internal API).
 * Beyond the port's comment it pins down: a duplicate id is API_KEY_EXISTS and leaves the first
 * record as it was; a hash that is not a hex SHA-256 is VALIDATION_FAILED (so a key itself cannot
 * be stored); timestamps come back as ISO strings at millisecond precision; list is ordered by
 * creation time, then id; records handed out are copies.
 */
export function describeApiKeyStoreContract(name: string, factory: ApiKeyStoreContractFactory): void {
  describe(`ApiKeyStore contract: ${name}`, () => {
    let subject: ApiKeyStoreContractSubject | undefined;
    const store = (): ApiKeyStore => {
      if (!subject) throw new Error('the contract subject did not start');
      return subject.store;
    };

    beforeAll(async () => {
      subject = await factory();
    });

    afterAll(async () => {
      await subject?.cleanup();
    });

    it('stores a key record and reads it back, with and without an agent id', async () => {
      const plain = buildStoredApiKey();
      const bound = buildStoredApiKey({ role: 'admin', agentId: 'agent-7', name: 'zaż\u00f3łć ✓' });

      await store().create(plain);
      await store().create(bound);

      expect(await store().get(plain.id)).toEqual(plain);
      expect(await store().get(bound.id)).toEqual(bound);
      expect(Object.keys((await store().get(plain.id)) ?? {})).not.toContain('agentId');
      expect(Object.keys((await store().get(plain.id)) ?? {})).not.toContain('revokedAt');
    });

    it('keeps timestamps at millisecond precision, in UTC ISO form', async () => {
      const key = buildStoredApiKey({ createdAt: '2030-01-02T03:04:05.678+02:00' });

      await store().create(key);

      expect((await store().get(key.id))?.createdAt).toBe('2030-01-02T01:04:05.678Z');
    });

    it('returns undefined for an unknown id, for get and revoke', async () => {
      const unknown = buildStoredApiKey();

      expect(await store().get(unknown.id)).toBeUndefined();
      expect(await store().revoke(unknown.id, new Date().toISOString())).toBeUndefined();
      expect(await store().get(unknown.id)).toBeUndefined();
    });

    it('refuses a second record with the same id, keeping the first', async () => {
      const first = buildStoredApiKey();
      await store().create(first);

      await expect(
        store().create({ ...buildStoredApiKey(), id: first.id, name: 'impostor' }),
      ).rejects.toMatchObject({ code: 'API_KEY_EXISTS', retryable: false });
      expect(await store().get(first.id)).toEqual(first);
    });

    it('stores exactly one of concurrent creates with the same id', async () => {
      const id = buildStoredApiKey().id;
      const attempts = await Promise.allSettled(
        Array.from({ length: 6 }, (_, index) => store().create(buildStoredApiKey({ id, name: `n${index}` }))),
      );

      expect(attempts.filter((attempt) => attempt.status === 'fulfilled')).toHaveLength(1);
      for (const attempt of attempts) {
        if (attempt.status === 'rejected') expect(attempt.reason).toMatchObject({ code: 'API_KEY_EXISTS' });
      }
      expect((await store().list()).filter((key) => key.id === id)).toHaveLength(1);
    });

    it('refuses a hash that is not a hex SHA-256, such as the key itself', async () => {
      const key = buildStoredApiKey();
      for (const hash of [`cfk_${key.id}_${'A'.repeat(43)}`, key.hash.toUpperCase(), key.hash.slice(1), '']) {
        await expect(store().create({ ...key, hash })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
      }
      expect(await store().get(key.id)).toBeUndefined();
    });

    it('revokes a key once: the first time stays, and the key stays readable and listed', async () => {
      const key = buildStoredApiKey();
      await store().create(key);
      const first = '2030-05-01T10:00:00.000Z';

      const revoked = await store().revoke(key.id, first);
      const again = await store().revoke(key.id, '2030-06-01T10:00:00.000Z');

      expect(revoked).toEqual({ ...key, revokedAt: first });
      expect(again).toEqual({ ...key, revokedAt: first });
      expect(await store().get(key.id)).toEqual({ ...key, revokedAt: first });
      expect((await store().list()).find((listed) => listed.id === key.id)).toEqual({
        ...key,
        revokedAt: first,
      });
    });

    it('lists keys by creation time, then id', async () => {
      const base = Date.parse('2031-01-01T00:00:00.000Z');
      const at = (offset: number) => new Date(base + offset).toISOString();
      const keys = [
        buildStoredApiKey({ createdAt: at(2_000) }),
        buildStoredApiKey({ createdAt: at(0) }),
        buildStoredApiKey({ createdAt: at(1_000) }),
        buildStoredApiKey({ createdAt: at(1_000) }),
      ];
      for (const key of keys) await store().create(key);
      const mine = new Set(keys.map((key) => key.id));

      const listed = (await store().list()).filter((key) => mine.has(key.id));

      const expected = [...keys].sort((a, b) =>
        a.createdAt === b.createdAt ? (a.id < b.id ? -1 : 1) : a.createdAt < b.createdAt ? -1 : 1,
      );
      expect(listed).toEqual(expected);
    });

    it('hands out copies: changing a returned record changes nothing stored', async () => {
      const key = buildStoredApiKey();
      await store().create(key);

      const read = await store().get(key.id);
      if (read) read.name = 'changed';
      const listed = (await store().list()).find((candidate) => candidate.id === key.id);
      if (listed) listed.revokedAt = new Date().toISOString();

      expect(await store().get(key.id)).toEqual(key);
    });
  });
}
