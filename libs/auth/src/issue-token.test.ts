import { decodeJwt, decodeProtectedHeader } from 'jose';
import { FakeApiKeyStore } from '@contextforge/testing';
import {
  AUDIENCE,
  clock,
  HS_SECRET,
  ISSUER,
  jwtOptions,
  NOW_MS,
  NOW_S,
  rejection,
} from '../test/support/jwt-fixtures';
import { createAuthenticator } from './create-authenticator';
import { issueToken } from './issue-token';

const base = {
  secretKey: HS_SECRET,
  issuer: ISSUER,
  audience: AUDIENCE,
  subject: 'dev-admin',
  roles: ['client', 'admin'] as const,
  expiresInMs: 3_600_500,
  now: clock,
};

describe('issueToken', () => {
  it('signs the claims the verifier requires, with exp rounded down to whole seconds', async () => {
    const token = await issueToken(base);
    expect(decodeProtectedHeader(token)).toEqual({ alg: 'HS256', typ: 'JWT' });
    expect(decodeJwt(token)).toEqual({
      iss: ISSUER,
      aud: AUDIENCE,
      sub: 'dev-admin',
      roles: ['client', 'admin'],
      iat: NOW_S,
      exp: NOW_S + 3600,
    });
  });

  it.each(['HS256', 'HS384', 'HS512'] as const)(
    'issues %s tokens the matching verifier accepts',
    async (algorithm) => {
      const auth = await createAuthenticator({
        jwt: jwtOptions({ algorithm }),
        apiKeys: new FakeApiKeyStore(),
        now: () => NOW_MS + 3_599_000,
      });
      const token = await issueToken({ ...base, algorithm });
      expect(await auth.authenticate({ authorization: `Bearer ${token}` })).toEqual({
        kind: 'client',
        id: 'dev-admin',
        roles: ['client', 'admin'],
      });
    },
  );

  it('refuses a short secret and a lifetime that is not positive', async () => {
    expect((await rejection(issueToken({ ...base, secretKey: 'short' }))).code).toBe('CONFIG_INVALID');
    expect((await rejection(issueToken({ ...base, expiresInMs: 0 }))).code).toBe('CONFIG_INVALID');
    expect((await rejection(issueToken({ ...base, expiresInMs: Number.NaN }))).code).toBe('CONFIG_INVALID');
  });
});
