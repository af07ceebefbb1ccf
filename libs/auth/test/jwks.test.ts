import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, type CryptoKey, type JWK } from 'jose';
import { createAuthenticator } from '../src';
import { FakeApiKeyStore } from '@contextforge/testing';
import {
  claims,
  clock,
  expectUnauthenticated,
  jwtOptions,
  rejection,
  sign,
  unsignedToken,
} from './support/jwt-fixtures';

/** A local identity provider's JWKS endpoint that counts requests and can be switched to failing. */
class JwksServer {
  requests = 0;
  status = 200;
  body = '';
  private readonly server: Server = createServer((_request, response) => {
    this.requests += 1;
    response.writeHead(this.status, { 'content-type': 'application/json' }).end(this.body);
  });

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/.well-known/jwks.json`;
  }

  serve(keys: JWK[]): void {
    this.status = 200;
    this.body = JSON.stringify({ keys });
  }

  async stop(): Promise<void> {
    if (!this.server.listening) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve, reject) =>
      this.server.close((error) => (error ? reject(error) : resolve())),
    );
  }
}

async function rsaKey(kid: string): Promise<{ privateKey: CryptoKey; jwk: JWK }> {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  return { privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' } };
}

describe('client tokens verified against a JWKS endpoint', () => {
  let server: JwksServer;
  let url: string;
  let current: { privateKey: CryptoKey; jwk: JWK };
  let next: { privateKey: CryptoKey; jwk: JWK };

  beforeAll(async () => {
    current = await rsaKey('key-1');
    next = await rsaKey('key-2');
  });
  beforeEach(async () => {
    server = new JwksServer();
    url = await server.start();
    server.serve([current.jwk, next.jwk]);
  });
  afterEach(async () => {
    await server.stop();
  });

  const authenticator = () =>
    createAuthenticator({
      jwt: jwtOptions({ algorithm: 'RS256', secretKey: undefined, jwksUrl: url }),
      apiKeys: new FakeApiKeyStore(),
      now: clock,
    });

  it('accepts tokens signed by any listed key, fetching the key set once', async () => {
    const auth = await authenticator();
    const first = await sign(current.privateKey, 'RS256', claims(), { kid: 'key-1' });
    const second = await sign(next.privateKey, 'RS256', claims({ sub: 'client-2' }), { kid: 'key-2' });
    expect((await auth.authenticate({ authorization: `Bearer ${first}` })).id).toBe('client-1');
    expect((await auth.authenticate({ authorization: `Bearer ${second}` })).id).toBe('client-2');
    expect(server.requests).toBe(1);
  });

  it('refuses a kid the key set does not list, and a listed kid with another key', async () => {
    const auth = await authenticator();
    const stranger = await rsaKey('key-9');
    const unknownKid = await sign(stranger.privateKey, 'RS256', claims(), { kid: 'key-9' });
    await expectUnauthenticated(
      auth.authenticate({ authorization: `Bearer ${unknownKid}` }),
      'unknown_signing_key',
    );
    const forgedKid = await sign(stranger.privateKey, 'RS256', claims(), { kid: 'key-1' });
    await expectUnauthenticated(auth.authenticate({ authorization: `Bearer ${forgedKid}` }), 'bad_signature');
  });

  it('refuses a token without kid when several keys could match', async () => {
    const auth = await authenticator();
    const token = await sign(current.privateKey, 'RS256');
    await expectUnauthenticated(
      auth.authenticate({ authorization: `Bearer ${token}` }),
      'unknown_signing_key',
    );
  });

  it('refuses alg none and HS256 tokens before fetching any key', async () => {
    const auth = await authenticator();
    const confused = await sign(new TextEncoder().encode(JSON.stringify(current.jwk)), 'HS256', claims(), {
      kid: 'key-1',
    });
    await expectUnauthenticated(
      auth.authenticate({ authorization: `Bearer ${confused}` }),
      'algorithm_not_allowed',
    );
    await expectUnauthenticated(
      auth.authenticate({ authorization: `Bearer ${unsignedToken()}` }),
      'algorithm_not_allowed',
    );
    expect(server.requests).toBe(0);
  });

  it.each([
    ['answers 500', (jwks: JwksServer) => void (jwks.status = 500)],
    ['answers something that is not a key set', (jwks: JwksServer) => void (jwks.body = '{"nope":true}')],
    ['answers something that is not JSON', (jwks: JwksServer) => void (jwks.body = '<html>')],
  ])('is SERVICE_UNAVAILABLE when the endpoint %s', async (_label, breakIt) => {
    breakIt(server);
    const auth = await authenticator();
    const token = await sign(current.privateKey, 'RS256', claims(), { kid: 'key-1' });
    const error = await rejection(auth.authenticate({ authorization: `Bearer ${token}` }));
    expect(error.code).toBe('SERVICE_UNAVAILABLE');
  });

  it('is SERVICE_UNAVAILABLE when nothing listens at the JWKS URL', async () => {
    const auth = await authenticator();
    await server.stop();
    const token = await sign(current.privateKey, 'RS256', claims(), { kid: 'key-1' });
    expect((await rejection(auth.authenticate({ authorization: `Bearer ${token}` }))).code).toBe(
      'SERVICE_UNAVAILABLE',
    );
  });
});
