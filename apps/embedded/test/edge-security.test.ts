import { issueToken } from '@contextforge/auth';
import { readFileSync, statSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import type { EmbeddedSystem } from '../src/embedded-system';
import { gatewayFetch, startTestSystem } from './support/start-test-system';

/**
 * The gateway's edge as the product wires it (real JWT verifier and API keys, the per-IP limiter,
 * the body reader): the unit suites of libs/auth and libs/edge test each piece; these check that
 * the running system uses them.
 */
describe('embedded gateway: authentication, limits and hostile input', () => {
  let system: EmbeddedSystem;

  beforeAll(async () => {
    system = await startTestSystem({
      // The seed's per-IP limit, as shipped.
      // Per hour, not per minute: GCRA refills one request per window/limit (600 ms at 100/min), which a
      // loaded machine can spend on 100 requests; at 100/hour the refill is 36 s.
      CONTEXTFORGE__NETWORK__RATE_LIMITING__PER_IP: '100/hour',
      CONTEXTFORGE__NETWORK__RATE_LIMITING__PER_CLIENT: '5/min',
      CONTEXTFORGE__EMBEDDED__AGENTS: '1',
    });
  });

  afterAll(async () => {
    await system?.stop();
  });

  const secret = () => {
    const key = system.credentials?.jwt.secretKey;
    if (key === undefined) throw new Error('no development secret');
    return key;
  };
  const tokenFor = (subject: string, options: { audience?: string; issuer?: string } = {}) =>
    issueToken({
      secretKey: secret(),
      issuer: options.issuer ?? 'contextforge',
      audience: options.audience ?? 'contextforge-api',
      subject,
      roles: ['client'],
      expiresInMs: 60_000,
    });

  it('writes development credentials with mode 0600 that work against the gateway', async () => {
    const file = system.credentials ? JSON.parse(readFileSync(credentialsPath(system), 'utf8')) : undefined;
    expect(file).toMatchObject({ clientToken: expect.any(String), agentKey: expect.stringMatching(/^cfk_/) });
    expect(statSync(credentialsPath(system)).mode & 0o777).toBe(0o600);
    const agents = await gatewayFetch(system)('/agents');
    expect(agents.status).toBe(200);
    const withKey = await fetch(`${system.url}/agents`, { headers: { 'x-api-key': file.agentKey } });
    expect(withKey.status).toBe(200);
  });

  it.each([
    ['no credentials', undefined],
    ['a garbage token', 'Bearer not-a-jwt'],
    ['an unknown API key', `Bearer cfk_abcdefghijkl_${'A'.repeat(43)}`],
  ])('answers 401 UNAUTHENTICATED with WWW-Authenticate for %s', async (_name, authorization) => {
    const response = await fetch(`${system.url}/tasks`, {
      headers: authorization ? { authorization } : {},
    });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('UNAUTHENTICATED');
  });

  it('answers 401 for a token with the wrong audience or issuer', async () => {
    for (const token of [
      await tokenFor('mallory', { audience: 'other' }),
      await tokenFor('mallory', { issuer: 'x' }),
    ]) {
      const response = await gatewayFetch(system, token)('/tasks');
      expect(response.status).toBe(401);
    }
  });

  it("lets one client neither read nor cancel another client's task (404)", async () => {
    const alice = gatewayFetch(system, await tokenFor('alice'));
    const bob = gatewayFetch(system, await tokenFor('bob'));
    const submitted = await alice('/tasks/submit', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'sleep', input: { ms: 5_000 } }),
    });
    expect(submitted.status).toBe(202);
    const { taskId } = (await submitted.json()) as { taskId: string };

    expect((await bob(`/tasks/${taskId}`)).status).toBe(404);
    expect((await bob(`/tasks/${taskId}`, { method: 'DELETE' })).status).toBe(404);
    expect((await alice(`/tasks/${taskId}`)).status).toBe(200);
    expect((await alice(`/tasks/${taskId}`, { method: 'DELETE' })).status).toBe(200);
  });

  it('refuses the 6th task in a minute of one client (per_client 5/min) with 429 and Retry-After', async () => {
    const carol = gatewayFetch(system, await tokenFor('carol'));
    const submit = () =>
      carol('/tasks/submit', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ type: 'echo', input: null }),
      });
    const statuses: number[] = [];
    for (let index = 0; index < 5; index += 1) statuses.push((await submit()).status);
    expect(statuses).toEqual([202, 202, 202, 202, 202]);
    const refused = await submit();
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('RATE_LIMITED');
    // Another client's allowance is its own.
    const dave = gatewayFetch(system, await tokenFor('dave'));
    const other = await dave('/tasks/submit', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'echo', input: null }),
    });
    expect(other.status).toBe(202);
  });

  it('refuses a gzip body that inflates past the limit with 413', async () => {
    // 200 MB of zeros compress to ~200 KB; the limit is the seed's 100 MB.
    const bomb = gzipSync(Buffer.alloc(200 * 1024 * 1024), { level: 9 });
    const response = await gatewayFetch(system)('/tasks/submit', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
      body: bomb,
    });
    expect(response.status).toBe(413);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('PAYLOAD_TOO_LARGE');
  });
});

describe('embedded gateway: the per-IP limit', () => {
  let system: EmbeddedSystem;

  beforeAll(async () => {
    system = await startTestSystem({
      // Per hour, not per minute: GCRA refills one request per window/limit (600 ms at 100/min), which a
      // loaded machine can spend on 100 requests; at 100/hour the refill is 36 s.
      CONTEXTFORGE__NETWORK__RATE_LIMITING__PER_IP: '100/hour',
      CONTEXTFORGE__EMBEDDED__AGENTS: '1',
    });
  });

  afterAll(async () => {
    await system?.stop();
  });

  it('refuses the 101st request in the window from one address with 429 and Retry-After, whatever X-Forwarded-For says', async () => {
    const statuses: number[] = [];
    for (let index = 0; index < 100; index += 1) {
      const response = await fetch(`${system.url}/healthz`, {
        headers: { 'x-forwarded-for': `203.0.113.${index}` },
      });
      statuses.push(response.status);
      await response.body?.cancel();
    }
    expect(statuses).toEqual(Array.from({ length: 100 }, () => 200));

    const refused = await fetch(`${system.url}/healthz`, { headers: { 'x-forwarded-for': '198.51.100.7' } });
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(refused.headers.get('ratelimit-remaining')).toBe('0');
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('RATE_LIMITED');
  });
});

describe('embedded gateway without development credentials', () => {
  it('refuses to start when no JWT key is configured', async () => {
    await expect(startTestSystem({ CONTEXTFORGE__SECURITY__DEV_CREDENTIALS: 'false' })).rejects.toMatchObject(
      {
        code: 'CONFIG_INVALID',
        message: expect.stringContaining('security.authentication'),
      },
    );
  });
});

function credentialsPath(system: EmbeddedSystem): string {
  const path = system.credentialsFile;
  if (path === undefined) throw new Error('no credentials file');
  return path;
}
