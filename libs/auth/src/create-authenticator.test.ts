import { AppError, type StoredApiKey } from '@contextforge/contracts';
import { FakeApiKeyStore } from '@contextforge/testing';
import {
  expectUnauthenticated,
  hsKey,
  jwtOptions,
  NOW_MS,
  rejection,
  sign,
  storedKey,
} from '../test/support/jwt-fixtures';
import { generateApiKey } from './api-keys';
import { createAuthenticator, type AuthenticatorOptions } from './create-authenticator';

/** A clock the test moves by hand. */
function manualClock(start = NOW_MS) {
  let now = start;
  return { now: () => now, advance: (ms: number) => void (now += ms) };
}

async function setUp(overrides: Partial<AuthenticatorOptions> = {}) {
  const store = new FakeApiKeyStore();
  const time = manualClock();
  const auth = await createAuthenticator({ jwt: jwtOptions(), apiKeys: store, now: time.now, ...overrides });
  return { store, time, auth };
}

describe('credential headers', () => {
  it.each([
    ['no headers', {}],
    ['empty headers', { authorization: '', apiKey: '' }],
    ['whitespace-only headers', { authorization: ' \t ', apiKey: '  ' }],
  ])('refuses %s as missing credentials', async (_label, credentials) => {
    const { auth } = await setUp();
    const error = await expectUnauthenticated(auth.authenticate(credentials), 'missing_credentials');
    expect(error.message).toMatch(/Bearer/);
  });

  it('refuses both an Authorization and an X-API-Key header rather than choosing one', async () => {
    const { auth, store } = await setUp();
    const key = await storedKey(store);
    const token = await sign(hsKey(), 'HS256');
    await expectUnauthenticated(
      auth.authenticate({ authorization: `Bearer ${token}`, apiKey: key.key }),
      'ambiguous_credentials',
      key.key,
    );
  });

  it('refuses an X-API-Key header that holds a JWT', async () => {
    const { auth } = await setUp();
    const token = await sign(hsKey(), 'HS256');
    await expectUnauthenticated(auth.authenticate({ apiKey: token }), 'malformed_api_key', token);
  });

  it('refuses a header value that is not text (e.g. binary gRPC metadata)', async () => {
    const { auth } = await setUp();
    const credentials = { authorization: Buffer.from('Bearer x') as unknown as string };
    await expectUnauthenticated(auth.authenticate(credentials), 'malformed_token');
  });

  it('trims surrounding whitespace, as gRPC metadata is not trimmed', async () => {
    const { auth, store } = await setUp();
    const key = await storedKey(store);
    expect((await auth.authenticate({ apiKey: ` ${key.key}\t` })).keyId).toBe(key.id);
  });
});

describe('API keys', () => {
  it('turns an agent key in X-API-Key or in a Bearer header into an agent principal', async () => {
    const { auth, store } = await setUp();
    const key = await storedKey(store);
    const expected = { kind: 'agent', id: `agent-key:${key.id}`, roles: ['agent'], keyId: key.id };
    expect(await auth.authenticate({ apiKey: key.key })).toEqual(expected);
    expect(await auth.authenticate({ authorization: `Bearer ${key.key}` })).toEqual(expected);
  });

  it('gives admin keys the agent and admin roles, and carries the bound agent id', async () => {
    const { auth, store } = await setUp();
    const admin = await storedKey(store, { role: 'admin' });
    const bound = await storedKey(store, { agentId: 'agent-7' });
    expect((await auth.authenticate({ apiKey: admin.key })).roles).toEqual(['agent', 'admin']);
    expect(await auth.authenticate({ apiKey: bound.key })).toMatchObject({
      agentId: 'agent-7',
      roles: ['agent'],
    });
  });

  it('refuses a key with the wrong secret, and an unknown id, with the same answer', async () => {
    const { auth, store } = await setUp();
    const key = await storedKey(store);
    const wrongSecret = `cfk_${key.id}_${generateApiKey().key.slice(-43)}`;
    const unknown = generateApiKey().key;
    const first = await expectUnauthenticated(
      auth.authenticate({ apiKey: wrongSecret }),
      'invalid_api_key',
      wrongSecret,
    );
    const second = await expectUnauthenticated(
      auth.authenticate({ apiKey: unknown }),
      'invalid_api_key',
      unknown,
    );
    expect(first.message).toBe(second.message);
  });

  it('refuses a revoked key, but only to someone holding its secret', async () => {
    const { auth, store } = await setUp();
    const key = await storedKey(store, { revokedAt: new Date(NOW_MS).toISOString() });
    await expectUnauthenticated(auth.authenticate({ apiKey: key.key }), 'revoked_api_key', key.key);
    const guess = `cfk_${key.id}_${'A'.repeat(43)}`;
    await expectUnauthenticated(auth.authenticate({ apiKey: guess }), 'invalid_api_key');
  });

  it('refuses a record whose stored hash is damaged instead of crashing', async () => {
    const { auth, store } = await setUp();
    const key = await storedKey(store, { name: 'damaged' });
    const record = await store.get(key.id);
    store.records.set(key.id, { ...(record as StoredApiKey), hash: 'not hex' });
    await expectUnauthenticated(auth.authenticate({ apiKey: key.key }), 'invalid_api_key');
  });

  it.each([
    ['a secret one character short', (key: string) => key.slice(0, -1)],
    ['a secret one character long', (key: string) => `${key}A`],
    ['an id one character short', (key: string) => key.slice(0, 4) + key.slice(5)],
    ['an upper-case id', (key: string) => key.slice(0, 4) + key.slice(4, 16).toUpperCase() + key.slice(16)],
    ['another prefix', (key: string) => `cfx_${key.slice(4)}`],
    ['a character outside base64url', (key: string) => `${key.slice(0, -1)}+`],
    ['no secret', (key: string) => key.slice(0, 17)],
    ['the prefix alone', () => 'cfk_'],
  ])('refuses a malformed key: %s', async (_label, mutate) => {
    const { auth, store } = await setUp();
    const key = await storedKey(store);
    const mutated = mutate(key.key);
    await expectUnauthenticated(auth.authenticate({ apiKey: mutated }), 'malformed_api_key', key.key);
    // Malformed keys are refused without asking the store.
    expect(store.reads).toBe(0);
  });

  it('reports a store outage as SERVICE_UNAVAILABLE, and recovers when the store does', async () => {
    const { auth, store } = await setUp();
    const key = await storedKey(store);
    store.failure = new Error('connection refused');
    const error = await rejection(auth.authenticate({ apiKey: key.key }));
    expect(error).toBeInstanceOf(AppError);
    expect({ code: error.code, retryable: error.retryable }).toEqual({
      code: 'SERVICE_UNAVAILABLE',
      retryable: true,
    });
    store.failure = undefined;
    expect((await auth.authenticate({ apiKey: key.key })).keyId).toBe(key.id);
  });
});

describe('API key cache', () => {
  it('reuses a record for the TTL (default 2 s) and reads the store again after it', async () => {
    const { auth, store, time } = await setUp();
    const key = await storedKey(store);
    await auth.authenticate({ apiKey: key.key });
    time.advance(1_999);
    await auth.authenticate({ apiKey: key.key });
    expect(store.reads).toBe(1);
    time.advance(1);
    await auth.authenticate({ apiKey: key.key });
    expect(store.reads).toBe(2);
  });

  it('shares one store read between concurrent requests with the same key', async () => {
    const { auth, store } = await setUp();
    const key = await storedKey(store);
    await Promise.all([1, 2, 3].map(() => auth.authenticate({ apiKey: key.key })));
    expect(store.reads).toBe(1);
  });

  it('applies a revocation at once after invalidate, and within the TTL without it', async () => {
    const { auth, store, time } = await setUp();
    const [first, second] = [await storedKey(store), await storedKey(store)];
    await auth.authenticate({ apiKey: first.key });
    await auth.authenticate({ apiKey: second.key });
    const at = new Date(NOW_MS).toISOString();
    await store.revoke(first.id, at);
    await store.revoke(second.id, at);

    auth.invalidate(first.id);
    await expectUnauthenticated(auth.authenticate({ apiKey: first.key }), 'revoked_api_key');
    // Not invalidated (revoked through another replica): still served from the cache until the TTL ends.
    expect((await auth.authenticate({ apiKey: second.key })).keyId).toBe(second.id);
    time.advance(2_000);
    await expectUnauthenticated(auth.authenticate({ apiKey: second.key }), 'revoked_api_key');
  });

  it('does not cache unknown ids, so a key created after a miss works at once', async () => {
    const { auth, store } = await setUp();
    const key = generateApiKey();
    await expectUnauthenticated(auth.authenticate({ apiKey: key.key }), 'invalid_api_key');
    await store.create({
      id: key.id,
      hash: key.hash,
      name: 'late',
      role: 'agent',
      createdBy: 'admin-1',
      createdAt: new Date(NOW_MS).toISOString(),
    });
    expect((await auth.authenticate({ apiKey: key.key })).keyId).toBe(key.id);
  });

  it('does not cache a failed read', async () => {
    const { auth, store } = await setUp();
    const key = await storedKey(store);
    store.failure = new Error('timeout');
    expect((await rejection(auth.authenticate({ apiKey: key.key }))).code).toBe('SERVICE_UNAVAILABLE');
    store.failure = undefined;
    expect((await auth.authenticate({ apiKey: key.key })).keyId).toBe(key.id);
  });

  it('reads the store every time with a TTL of 0', async () => {
    const { auth, store } = await setUp({ apiKeyCacheTtlMs: 0 });
    const key = await storedKey(store);
    await auth.authenticate({ apiKey: key.key });
    await auth.authenticate({ apiKey: key.key });
    expect(store.reads).toBe(2);
  });

  it('refuses a negative TTL at creation', async () => {
    const error = await rejection(setUp({ apiKeyCacheTtlMs: -1 }));
    expect(error.code).toBe('CONFIG_INVALID');
  });
});
