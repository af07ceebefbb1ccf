import { chmod, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FakeApiKeyStore } from '@contextforge/testing';
import {
  AUDIENCE,
  clock,
  expectUnauthenticated,
  HS_SECRET,
  ISSUER,
  jwtOptions,
  NOW_MS,
  rejection,
  temporaryDirectory,
} from '../test/support/jwt-fixtures';
import { hashApiKey } from './api-keys';
import { createAuthenticator } from './create-authenticator';
import { createDevCredentials, type DevCredentialsOptions } from './dev-credentials';

const DAY_MS = 24 * 3600 * 1000;

let directory: Awaited<ReturnType<typeof temporaryDirectory>>;
beforeEach(async () => {
  directory = await temporaryDirectory();
});
afterEach(async () => {
  await directory.remove();
});

function options(
  overrides: Partial<DevCredentialsOptions> = {},
): DevCredentialsOptions & { apiKeys: FakeApiKeyStore } {
  return {
    authentication: { ...jwtOptions({ secretKey: undefined }), expiration: DAY_MS },
    apiKeys: new FakeApiKeyStore(),
    credentialsFile: join(directory.path, 'nested', '.contextforge', 'credentials.json'),
    now: clock,
    ...overrides,
  } as DevCredentialsOptions & { apiKeys: FakeApiKeyStore };
}

const mode = async (path: string) => (await stat(path)).mode & 0o777;

describe('createDevCredentials', () => {
  it('writes a client token, an admin token and an agent key to a 0600 file in a new 0700 directory', async () => {
    const input = options({ gatewayUrl: 'http://127.0.0.1:8080' });
    const credentials = await createDevCredentials(input);

    expect(await mode(input.credentialsFile)).toBe(0o600);
    expect(await mode(join(directory.path, 'nested', '.contextforge'))).toBe(0o700);
    expect(JSON.parse(await readFile(input.credentialsFile, 'utf8'))).toEqual({
      gatewayUrl: 'http://127.0.0.1:8080',
      clientToken: credentials.clientToken,
      adminToken: credentials.adminToken,
      agentKey: credentials.agentKey,
      expiresAt: new Date(NOW_MS + DAY_MS).toISOString(),
    });
    expect(credentials.secretGenerated).toBe(true);
    expect(credentials.jwt).toEqual({
      algorithm: 'HS256',
      secretKey: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      issuer: ISSUER,
      audience: AUDIENCE,
      clockTolerance: 30_000,
    });
  });

  it('makes credentials the authenticator accepts with the returned settings', async () => {
    const input = options();
    const credentials = await createDevCredentials(input);
    const auth = await createAuthenticator({ jwt: credentials.jwt, apiKeys: input.apiKeys, now: clock });

    expect(await auth.authenticate({ authorization: `Bearer ${credentials.clientToken}` })).toEqual({
      kind: 'client',
      id: 'dev-client',
      roles: ['client'],
    });
    expect(await auth.authenticate({ authorization: `Bearer ${credentials.adminToken}` })).toEqual({
      kind: 'client',
      id: 'dev-admin',
      roles: ['client', 'admin'],
    });
    expect(await auth.authenticate({ apiKey: credentials.agentKey })).toEqual({
      kind: 'agent',
      id: `agent-key:${credentials.agentKeyId}`,
      roles: ['agent'],
      keyId: credentials.agentKeyId,
    });
  });

  it('stores only the hash of the agent key, created by dev-credentials', async () => {
    const input = options();
    const credentials = await createDevCredentials(input);
    const [record] = await input.apiKeys.list();
    expect(record).toMatchObject({
      id: credentials.agentKeyId,
      role: 'agent',
      hash: hashApiKey(credentials.agentKey),
      createdBy: 'dev-credentials',
    });
    expect(JSON.stringify(record)).not.toContain(credentials.agentKey.slice(-43));
  });

  it('tokens expire after the configured expiration', async () => {
    const input = options();
    const credentials = await createDevCredentials(input);
    const later = await createAuthenticator({
      jwt: { ...credentials.jwt, clockTolerance: 0 },
      apiKeys: input.apiKeys,
      now: () => NOW_MS + DAY_MS,
    });
    await expectUnauthenticated(
      later.authenticate({ authorization: `Bearer ${credentials.clientToken}` }),
      'expired',
    );
  });

  it('revokes the agent key of an earlier run and rewrites the file with mode 0600', async () => {
    const input = options();
    const first = await createDevCredentials(input);
    await chmod(input.credentialsFile, 0o644);
    await input.apiKeys.create({
      id: 'aaaaaaaaaaaa',
      name: "another admin's key",
      role: 'agent',
      hash: 'ab'.repeat(32),
      createdBy: 'admin-1',
      createdAt: new Date(NOW_MS).toISOString(),
    });

    const second = await createDevCredentials(input);
    expect(await mode(input.credentialsFile)).toBe(0o600);
    expect(JSON.parse(await readFile(input.credentialsFile, 'utf8')).agentKey).toBe(second.agentKey);

    const auth = await createAuthenticator({ jwt: second.jwt, apiKeys: input.apiKeys, now: clock });
    await expectUnauthenticated(auth.authenticate({ apiKey: first.agentKey }), 'revoked_api_key');
    expect((await auth.authenticate({ apiKey: second.agentKey })).keyId).toBe(second.agentKeyId);
    expect((await input.apiKeys.get('aaaaaaaaaaaa'))?.revokedAt).toBeUndefined();
    // A new random secret per run: the first run's tokens no longer verify.
    await expectUnauthenticated(
      auth.authenticate({ authorization: `Bearer ${first.clientToken}` }),
      'bad_signature',
    );
  });

  it('signs with a configured HS secret, so tokens survive restarts', async () => {
    const input = options({ authentication: { ...jwtOptions({ algorithm: 'HS384' }), expiration: DAY_MS } });
    const credentials = await createDevCredentials(input);
    expect(credentials.secretGenerated).toBe(false);
    const auth = await createAuthenticator({
      jwt: jwtOptions({ algorithm: 'HS384', secretKey: HS_SECRET }),
      apiKeys: input.apiKeys,
      now: clock,
    });
    expect((await auth.authenticate({ authorization: `Bearer ${credentials.adminToken}` })).id).toBe(
      'dev-admin',
    );
  });

  it('falls back to a generated HS256 secret when an asymmetric algorithm has no key', async () => {
    const input = options({
      authentication: { ...jwtOptions({ algorithm: 'RS256', secretKey: undefined }), expiration: DAY_MS },
    });
    const credentials = await createDevCredentials(input);
    expect(credentials.jwt.algorithm).toBe('HS256');
    expect(credentials.secretGenerated).toBe(true);
  });

  it('refuses to issue tokens when a public key or JWKS is configured', async () => {
    const input = options({
      authentication: {
        ...jwtOptions({ algorithm: 'RS256', secretKey: undefined, jwksUrl: 'https://idp.test/jwks' }),
        expiration: DAY_MS,
      },
    });
    expect((await rejection(createDevCredentials(input))).code).toBe('CONFIG_INVALID');
    expect(await input.apiKeys.list()).toEqual([]);
  });

  it('reports a file it cannot write as an AppError naming the path', async () => {
    const blocker = join(directory.path, 'a-file');
    await writeFile(blocker, '');
    const input = options({ credentialsFile: join(blocker, 'credentials.json') });
    const error = await rejection(createDevCredentials(input));
    expect(error.code).toBe('INTERNAL');
    expect(error.message).toContain(blocker);
  });
});
