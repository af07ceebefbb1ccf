import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FakeApiKeyStore } from '@contextforge/testing';
import {
  AUDIENCE,
  claims,
  clock,
  expectUnauthenticated,
  HS_SECRET,
  hsKey,
  ISSUER,
  jwtOptions,
  keyPairFiles,
  LEEWAY_MS,
  NOW_S,
  rejection,
  sign,
  temporaryDirectory,
  unsignedToken,
  type KeyPairFiles,
} from '../test/support/jwt-fixtures';
import { createAuthenticator } from './create-authenticator';
import type { JwtVerifierOptions } from './jwt-verifier';

async function authenticatorFor(jwt: JwtVerifierOptions) {
  return createAuthenticator({ jwt, apiKeys: new FakeApiKeyStore(), now: clock });
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

let directory: Awaited<ReturnType<typeof temporaryDirectory>>;
beforeAll(async () => {
  directory = await temporaryDirectory();
});
afterAll(async () => {
  await directory.remove();
});

describe('HS256 client tokens', () => {
  it('accepts a valid token as a client principal', async () => {
    const auth = await authenticatorFor(jwtOptions());
    const principal = await auth.authenticate(bearer(await sign(hsKey(), 'HS256')));
    expect(principal).toEqual({ kind: 'client', id: 'client-1', roles: ['client'] });
  });

  it('reads the admin role from the roles claim and ignores roles a token cannot grant', async () => {
    const auth = await authenticatorFor(jwtOptions());
    const token = await sign(hsKey(), 'HS256', claims({ roles: ['agent', 'admin', 'superuser', 7] }));
    expect((await auth.authenticate(bearer(token))).roles).toEqual(['client', 'admin']);
  });

  it('refuses a roles claim that is not an array', async () => {
    const auth = await authenticatorFor(jwtOptions());
    const token = await sign(hsKey(), 'HS256', claims({ roles: 'admin' }));
    await expectUnauthenticated(auth.authenticate(bearer(token)), 'invalid_claim', token);
  });

  it('accepts an aud array that contains the audience, and a lower-case scheme', async () => {
    const auth = await authenticatorFor(jwtOptions());
    const token = await sign(hsKey(), 'HS256', claims({ aud: ['other', AUDIENCE] }));
    expect((await auth.authenticate({ authorization: `bearer ${token}` })).id).toBe('client-1');
  });

  it('refuses an unsigned token (alg none)', async () => {
    const auth = await authenticatorFor(jwtOptions());
    const token = unsignedToken();
    await expectUnauthenticated(auth.authenticate(bearer(token)), 'algorithm_not_allowed', token);
  });

  it('refuses a token of another algorithm than the pinned one, even with the right secret', async () => {
    const auth = await authenticatorFor(jwtOptions());
    const token = await sign(hsKey(), 'HS512');
    await expectUnauthenticated(auth.authenticate(bearer(token)), 'algorithm_not_allowed', token);
  });

  it('refuses a token signed with another secret', async () => {
    const auth = await authenticatorFor(jwtOptions());
    const token = await sign(hsKey(`${HS_SECRET}-but-not-this-one`), 'HS256');
    await expectUnauthenticated(auth.authenticate(bearer(token)), 'bad_signature', token);
  });

  it('refuses a token whose payload was changed after signing', async () => {
    const auth = await authenticatorFor(jwtOptions());
    const [header, , signature] = (await sign(hsKey(), 'HS256')).split('.');
    const forged = Buffer.from(JSON.stringify(claims({ roles: ['admin'] }))).toString('base64url');
    const token = `${header}.${forged}.${signature}`;
    await expectUnauthenticated(auth.authenticate(bearer(token)), 'bad_signature', token);
  });

  it('requires exp', async () => {
    const auth = await authenticatorFor(jwtOptions());
    const token = await sign(hsKey(), 'HS256', claims({ exp: undefined }));
    const error = await expectUnauthenticated(auth.authenticate(bearer(token)), 'missing_claim', token);
    expect(error.message).toContain('exp');
  });

  it('refuses a token expired beyond the leeway and accepts one expired within it', async () => {
    const auth = await authenticatorFor(jwtOptions());
    const stale = await sign(hsKey(), 'HS256', claims({ exp: NOW_S - LEEWAY_MS / 1000 - 1 }));
    await expectUnauthenticated(auth.authenticate(bearer(stale)), 'expired', stale);
    const recent = await sign(hsKey(), 'HS256', claims({ exp: NOW_S - LEEWAY_MS / 1000 + 1 }));
    expect((await auth.authenticate(bearer(recent))).id).toBe('client-1');
  });

  it('refuses a token that is not valid yet beyond the leeway and accepts one within it', async () => {
    const auth = await authenticatorFor(jwtOptions());
    const future = await sign(hsKey(), 'HS256', claims({ nbf: NOW_S + LEEWAY_MS / 1000 + 1 }));
    await expectUnauthenticated(auth.authenticate(bearer(future)), 'not_yet_valid', future);
    const soon = await sign(hsKey(), 'HS256', claims({ nbf: NOW_S + LEEWAY_MS / 1000 - 1 }));
    expect((await auth.authenticate(bearer(soon))).id).toBe('client-1');
  });

  it.each([
    ['another audience', claims({ aud: 'someone-else' }), 'wrong_audience'],
    ['no audience', claims({ aud: undefined }), 'missing_claim'],
    ['another issuer', claims({ iss: 'https://evil.test' }), 'wrong_issuer'],
    ['no issuer', claims({ iss: undefined }), 'missing_claim'],
    ['no subject', claims({ sub: undefined }), 'missing_claim'],
    ['an empty subject', claims({ sub: '' }), 'missing_claim'],
    ['a subject of 201 characters', claims({ sub: 'x'.repeat(201) }), 'invalid_claim'],
    [
      'a subject that poses as an API key principal',
      claims({ sub: 'agent-key:abcdefghijkl' }),
      'invalid_claim',
    ],
    ['exp that is not a number', claims({ exp: 'tomorrow' }), 'invalid_claim'],
  ] as const)('refuses a token with %s', async (_label, payload, reason) => {
    const auth = await authenticatorFor(jwtOptions());
    const token = await sign(hsKey(), 'HS256', payload);
    await expectUnauthenticated(auth.authenticate(bearer(token)), reason, token);
  });

  it('accepts a subject of exactly 200 characters', async () => {
    const auth = await authenticatorFor(jwtOptions());
    const token = await sign(hsKey(), 'HS256', claims({ sub: 'x'.repeat(200) }));
    expect((await auth.authenticate(bearer(token))).id).toHaveLength(200);
  });

  it.each([
    ['garbage', 'Bearer not-a-token', 'malformed_token'],
    ['two segments', 'Bearer aGVsbG8.d29ybGQ', 'malformed_token'],
    ['whitespace inside the token', 'Bearer eyJh bGci.eyJzdWIi.c2ln', 'malformed_token'],
    ['base64 padding', 'Bearer eyJhbGciOiJIUzI1NiJ9.e30=.c2ln', 'malformed_token'],
    ['segments that are not JSON', 'Bearer aGVsbG8.d29ybGQ.c2ln', 'malformed_token'],
    ['an empty bearer token', 'Bearer ', 'missing_credentials'],
    ['the scheme alone', 'Bearer', 'missing_credentials'],
    ['the Basic scheme', 'Basic dXNlcjpwYXNz', 'unsupported_scheme'],
    ['no scheme', 'eyJhbGciOiJIUzI1NiJ9.e30.c2ln', 'unsupported_scheme'],
  ] as const)('refuses %s', async (_label, authorization, reason) => {
    const auth = await authenticatorFor(jwtOptions());
    await expectUnauthenticated(auth.authenticate({ authorization }), reason);
  });

  it('refuses a token too long to be genuine without parsing it', async () => {
    const auth = await authenticatorFor(jwtOptions());
    const token = await sign(hsKey(), 'HS256', claims({ padding: 'x'.repeat(20_000) }));
    await expectUnauthenticated(auth.authenticate(bearer(token)), 'malformed_token');
  });
});

describe.each([
  { alg: 'RS256', other: 'PS256' },
  { alg: 'ES256', other: 'ES384' },
  { alg: 'EdDSA', other: 'RS256' },
] as const)('$alg client tokens from a PEM public key', ({ alg, other }) => {
  let keys: KeyPairFiles;
  let otherKeys: KeyPairFiles;
  beforeAll(async () => {
    keys = await keyPairFiles(alg, directory.path);
    otherKeys = await keyPairFiles(other, directory.path);
  });
  const options = () =>
    jwtOptions({ algorithm: alg, secretKey: undefined, publicKeyPath: keys.publicKeyPath });

  it('accepts a token signed with the private key', async () => {
    const auth = await authenticatorFor(options());
    const token = await sign(keys.privateKey, alg, claims({ roles: ['admin'] }));
    expect(await auth.authenticate(bearer(token))).toEqual({
      kind: 'client',
      id: 'client-1',
      roles: ['client', 'admin'],
    });
  });

  it('refuses an HS256 token signed with the public key PEM as the HMAC secret (key confusion)', async () => {
    const auth = await authenticatorFor(options());
    const token = await sign(new TextEncoder().encode(keys.publicKeyPem), 'HS256');
    await expectUnauthenticated(auth.authenticate(bearer(token)), 'algorithm_not_allowed', token);
  });

  it('refuses an unsigned token (alg none)', async () => {
    const auth = await authenticatorFor(options());
    await expectUnauthenticated(auth.authenticate(bearer(unsignedToken())), 'algorithm_not_allowed');
  });

  it(`refuses a token of another algorithm (${other})`, async () => {
    const auth = await authenticatorFor(options());
    const token = await sign(otherKeys.privateKey, other);
    await expectUnauthenticated(auth.authenticate(bearer(token)), 'algorithm_not_allowed', token);
  });

  it('refuses a token signed by another key of the same algorithm', async () => {
    const auth = await authenticatorFor(options());
    const stranger = await keyPairFiles(alg, directory.path);
    const token = await sign(stranger.privateKey, alg);
    await expectUnauthenticated(auth.authenticate(bearer(token)), 'bad_signature', token);
  });

  it('refuses a tampered payload, a missing exp, an expired token, a wrong aud and a wrong iss', async () => {
    const auth = await authenticatorFor(options());
    const [header, , signature] = (await sign(keys.privateKey, alg)).split('.');
    const tampered = `${header}.${Buffer.from(JSON.stringify(claims({ sub: 'client-2' }))).toString('base64url')}.${signature}`;
    await expectUnauthenticated(auth.authenticate(bearer(tampered)), 'bad_signature');
    const cases = [
      [claims({ exp: undefined }), 'missing_claim'],
      [claims({ exp: NOW_S - 3600 }), 'expired'],
      [claims({ aud: 'someone-else' }), 'wrong_audience'],
      [claims({ iss: 'https://evil.test' }), 'wrong_issuer'],
    ] as const;
    for (const [payload, reason] of cases) {
      await expectUnauthenticated(
        auth.authenticate(bearer(await sign(keys.privateKey, alg, payload))),
        reason,
      );
    }
  });
});

describe('verifier configuration is checked at creation', () => {
  it.each([
    ['an HS secret shorter than 32 characters', jwtOptions({ secretKey: 'short' })],
    ['an HS algorithm without a secret', jwtOptions({ secretKey: undefined })],
    ['an asymmetric algorithm without a key', jwtOptions({ algorithm: 'RS256', secretKey: undefined })],
    [
      'both a public key file and a JWKS URL',
      jwtOptions({ algorithm: 'RS256', publicKeyPath: '/nonexistent.pem', jwksUrl: 'https://idp.test/jwks' }),
    ],
    ['a JWKS URL that is not http(s)', jwtOptions({ algorithm: 'RS256', jwksUrl: 'file:///etc/jwks.json' })],
    ['a clock tolerance above 60 s', jwtOptions({ clockTolerance: 60_001 })],
    ['a negative clock tolerance', jwtOptions({ clockTolerance: -1 })],
    ['an empty issuer', jwtOptions({ issuer: '' })],
    ['an empty audience', jwtOptions({ audience: '' })],
    ['an unknown algorithm', jwtOptions({ algorithm: 'none' as 'HS256' })],
    [
      'a public key file that does not exist',
      jwtOptions({ algorithm: 'RS256', publicKeyPath: '/nonexistent.pem' }),
    ],
  ])('refuses %s with CONFIG_INVALID', async (_label, jwt) => {
    expect((await rejection(authenticatorFor(jwt))).code).toBe('CONFIG_INVALID');
  });

  it('refuses a PEM file that holds no key for the algorithm', async () => {
    const ec = await keyPairFiles('ES256', directory.path);
    const notPem = join(directory.path, 'not.pem');
    await writeFile(notPem, 'hello');
    for (const publicKeyPath of [ec.publicKeyPath, notPem]) {
      const jwt = jwtOptions({ algorithm: 'RS256', secretKey: undefined, publicKeyPath });
      expect((await rejection(authenticatorFor(jwt))).code).toBe('CONFIG_INVALID');
    }
  });

  it('accepts the largest tolerance, 60 s', async () => {
    const auth = await authenticatorFor(jwtOptions({ clockTolerance: 60_000, issuer: ISSUER }));
    const token = await sign(hsKey(), 'HS256', claims({ exp: NOW_S - 59 }));
    expect((await auth.authenticate(bearer(token))).id).toBe('client-1');
  });
});
