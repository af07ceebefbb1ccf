import { AppError, API_KEY_PATTERN, type Authenticator } from '@contextforge/contracts';
import fc from 'fast-check';
import { createAuthenticator, type GeneratedApiKey } from '../src';
import { FakeApiKeyStore } from '@contextforge/testing';
import {
  base64url,
  claims,
  clock,
  hsKey,
  jwtOptions,
  keyPairFiles,
  NOW_MS,
  sign,
  storedKey,
  temporaryDirectory,
} from './support/jwt-fixtures';

/**
 * Property tests: whatever string arrives in the Authorization or X-API-Key header, the only
 * outcome is UNAUTHENTICATED (never a principal, never another error, never the credential echoed).
 * Near misses start from a valid token or key and change it a little, which reaches deeper into
 * the checks than random text does.
 */
const RUNS = { numRuns: 1_000 };
const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

async function expectOnlyUnauthenticated(
  auth: Authenticator,
  credentials: { authorization?: string; apiKey?: string },
  secret?: string,
): Promise<void> {
  const outcome = await auth.authenticate(credentials).then(
    (principal) => ({ principal }),
    (error: unknown) => ({ error }),
  );
  if ('principal' in outcome) {
    throw new Error(`accepted ${JSON.stringify(credentials)} as ${JSON.stringify(outcome.principal)}`);
  }
  const { error } = outcome;
  if (!(error instanceof AppError) || error.code !== 'UNAUTHENTICATED') {
    throw new Error(`expected UNAUTHENTICATED, got ${String(error)}`, { cause: error });
  }
  if (secret !== undefined && secret.length >= 16) {
    expect(JSON.stringify(error.toJSON())).not.toContain(secret);
  }
}

/** Whether two compact JWS strings verify identically (base64 decoding ignores unused trailing bits). */
function sameJws(a: string, b: string): boolean {
  const [ha, pa, sa] = a.split('.');
  const [hb, pb, sb] = b.split('.');
  return (
    a.split('.').length === 3 &&
    b.split('.').length === 3 &&
    ha === hb &&
    pa === pb &&
    /^[A-Za-z0-9_-]*$/.test(sb ?? '') &&
    Buffer.from(sa ?? '', 'base64url').equals(Buffer.from(sb ?? '', 'base64url'))
  );
}

/** Small edits of a string: replace, insert or delete one character, truncate, or extend. */
function edited(original: string, alphabet: fc.Arbitrary<string>): fc.Arbitrary<string> {
  const index = fc.nat({ max: original.length - 1 });
  return fc.oneof(
    fc.tuple(index, alphabet).map(([i, c]) => original.slice(0, i) + c + original.slice(i + 1)),
    fc.tuple(index, alphabet).map(([i, c]) => original.slice(0, i) + c + original.slice(i)),
    index.map((i) => original.slice(0, i) + original.slice(i + 1)),
    index.map((i) => original.slice(0, i)),
    fc.string({ minLength: 1, maxLength: 8 }).map((tail) => original + tail),
    index.map((i) => original.slice(0, i) + original.charAt(i).toUpperCase() + original.slice(i + 1)),
  );
}

const anyCharacter = fc.oneof(
  fc.constantFrom(...B64URL.split('')),
  fc.constantFrom('.', '=', '+', '/', ' ', '\t', '\n', '\0', '%', '"', 'é', '\u{1F600}'),
  fc.string({ minLength: 1, maxLength: 1, unit: 'binary' }),
);

const someText = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.string({ unit: 'grapheme', maxLength: 50 }),
  fc.string({ maxLength: 3000 }),
);

/** Headers that look like a credential to varying degrees. */
const credentialLike = fc.oneof(
  someText,
  someText.map((text) => `Bearer ${text}`),
  someText.map((text) => `bearer\t${text}`),
  someText.map((text) => `cfk_${text}`),
  someText.map((text) => `Bearer cfk_${text}`),
  fc.stringMatching(API_KEY_PATTERN),
  fc.stringMatching(API_KEY_PATTERN).map((key) => `Bearer ${key}`),
  fc.stringMatching(/^Bearer [A-Za-z0-9_-]{1,60}\.[A-Za-z0-9_-]{1,60}\.[A-Za-z0-9_-]{0,60}$/),
  fc
    .tuple(fc.jsonValue(), fc.jsonValue(), fc.string({ unit: 'binary' }))
    .map(
      ([header, payload, signature]) =>
        `Bearer ${base64url(header)}.${base64url(payload)}.${base64url(signature)}`,
    ),
  fc
    .tuple(
      fc.record({
        alg: fc.constantFrom('none', 'HS256', 'HS512', 'RS256', 'ES256', 'EdDSA'),
        typ: fc.string(),
      }),
      fc.dictionary(fc.constantFrom('iss', 'aud', 'sub', 'exp', 'nbf', 'iat', 'roles'), fc.jsonValue()),
    )
    .map(([header, payload]) => `Bearer ${base64url(header)}.${base64url(payload)}.`),
);

const optionalCredential = fc.option(credentialLike, { nil: undefined });

describe('authenticate() under arbitrary and near-miss input', () => {
  let directory: Awaited<ReturnType<typeof temporaryDirectory>>;
  let hs: Authenticator;
  let rs: Authenticator;
  let hsToken: string;
  let rsToken: string;
  let agentKey: GeneratedApiKey;
  let revokedKey: GeneratedApiKey;

  beforeAll(async () => {
    directory = await temporaryDirectory();
    const store = new FakeApiKeyStore();
    agentKey = await storedKey(store);
    revokedKey = await storedKey(store, { revokedAt: new Date(NOW_MS).toISOString() });
    const rsa = await keyPairFiles('RS256', directory.path);
    hs = await createAuthenticator({ jwt: jwtOptions(), apiKeys: store, now: clock });
    rs = await createAuthenticator({
      jwt: jwtOptions({ algorithm: 'RS256', secretKey: undefined, publicKeyPath: rsa.publicKeyPath }),
      apiKeys: store,
      now: clock,
    });
    hsToken = await sign(hsKey(), 'HS256', claims({ roles: ['admin'] }));
    rsToken = await sign(rsa.privateKey, 'RS256', claims({ roles: ['admin'] }));
    // The starting points are valid, so every refusal below is caused by the change.
    await hs.authenticate({ authorization: `Bearer ${hsToken}` });
    await rs.authenticate({ authorization: `Bearer ${rsToken}` });
    await hs.authenticate({ apiKey: agentKey.key });
  });
  afterAll(async () => {
    await directory.remove();
  });

  it('refuses arbitrary header values with UNAUTHENTICATED only', async () => {
    await fc.assert(
      fc.asyncProperty(optionalCredential, optionalCredential, async (authorization, apiKey) => {
        await expectOnlyUnauthenticated(hs, { authorization, apiKey }, authorization);
        await expectOnlyUnauthenticated(rs, { authorization, apiKey }, authorization);
      }),
      RUNS,
    );
  });

  it('refuses every character-level edit of a valid token', async () => {
    const variants = fc.constantFrom('hs' as const, 'rs' as const);
    await fc.assert(
      fc.asyncProperty(
        variants.chain((which) =>
          edited(which === 'hs' ? hsToken : rsToken, anyCharacter).map((token) => ({ which, token })),
        ),
        async ({ which, token }) => {
          const original = which === 'hs' ? hsToken : rsToken;
          fc.pre(!sameJws(original, token.replace(/^[ \t]+|[ \t]+$/g, '')));
          await expectOnlyUnauthenticated(
            which === 'hs' ? hs : rs,
            { authorization: `Bearer ${token}` },
            token,
          );
        },
      ),
      RUNS,
    );
  });

  it('refuses a valid token whose segments were rearranged or whose header or claims were rewritten', async () => {
    const [header = '', payload = '', signature = ''] = hsToken.split('.');
    const headerJson = { alg: 'HS256' };
    const claimsJson = claims({ roles: ['admin'] });
    const rearranged = fc.constantFrom(
      `${header}.${payload}`,
      `${header}.${payload}.`,
      `${header}..${signature}`,
      `.${payload}.${signature}`,
      `${payload}.${header}.${signature}`,
      `${header}.${payload}.${signature}.${signature}`,
      `${header}.${header}.${signature}`,
      `${header}.${payload}.${payload}`,
      `${hsToken} ${hsToken}`,
    );
    const rewrittenHeader = fc
      .record(
        {
          alg: fc.oneof(
            fc.constantFrom(
              'none',
              'None',
              'NONE',
              'hs256',
              'HS384',
              'HS512',
              'RS256',
              'ES256',
              '',
              'HS256 ',
            ),
            fc.jsonValue(),
          ),
          typ: fc.jsonValue(),
          kid: fc.string(),
          crit: fc.jsonValue(),
          b64: fc.jsonValue(),
          jku: fc.webUrl(),
        },
        { requiredKeys: [] },
      )
      .map((extra) => ({ ...headerJson, ...extra }))
      .filter((next) => JSON.stringify(next) !== JSON.stringify(headerJson))
      .map((next) => `${base64url(next)}.${payload}.${signature}`);
    const rewrittenClaims = fc
      .tuple(
        fc.constantFrom('iss', 'aud', 'sub', 'exp', 'nbf', 'iat', 'roles', 'extra'),
        fc.option(fc.jsonValue()),
      )
      .map(([claim, value]) => {
        const next: Record<string, unknown> = { ...claimsJson };
        if (value === null) delete next[claim];
        else next[claim] = value;
        return next;
      })
      .filter((next) => JSON.stringify(next) !== JSON.stringify(claimsJson))
      .map((next) => `${header}.${base64url(next)}.${signature}`);
    await fc.assert(
      fc.asyncProperty(fc.oneof(rearranged, rewrittenHeader, rewrittenClaims), async (token) => {
        await expectOnlyUnauthenticated(hs, { authorization: `Bearer ${token}` }, token);
      }),
      RUNS,
    );
  });

  it('refuses every edit of a valid API key, a revoked key, and well-formed unknown keys', async () => {
    const nearMisses = fc.oneof(
      edited(agentKey.key, anyCharacter),
      fc.constant(revokedKey.key),
      fc.stringMatching(API_KEY_PATTERN),
      fc.stringMatching(/^[A-Za-z0-9_-]{43}$/).map((secret) => `cfk_${agentKey.id}_${secret}`),
      fc.stringMatching(/^[a-z2-7]{12}$/).map((id) => `cfk_${id}_${agentKey.key.slice(-43)}`),
    );
    await fc.assert(
      fc.asyncProperty(nearMisses, fc.boolean(), async (key, asBearer) => {
        fc.pre(key.replace(/^[ \t]+|[ \t]+$/g, '') !== agentKey.key);
        const credentials = asBearer ? { authorization: `Bearer ${key}` } : { apiKey: key };
        await expectOnlyUnauthenticated(hs, credentials, key);
      }),
      RUNS,
    );
  });
});
