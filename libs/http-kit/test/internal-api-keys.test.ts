import { createSilentLogger } from '@contextforge/observability';
import { buildStoredApiKey, describeApiKeyStoreContract } from '@contextforge/testing';
import { HttpApiKeyStore, apiKeyStoreRouter, createServiceApp } from '../src';
import { FakeApiKeyStore } from '@contextforge/testing';
import { serveApp, type ServedApp } from './support/serve-app';

async function serveStore(): Promise<{ store: FakeApiKeyStore; served: ServedApp }> {
  const store = new FakeApiKeyStore();
  const served = await serveApp(
    createServiceApp({ logger: createSilentLogger(), routers: [apiKeyStoreRouter(store)] }),
  );
  return { store, served };
}

// The HTTP client behaves like any ApiKeyStore, over real HTTP.
describeApiKeyStoreContract('HttpApiKeyStore over apiKeyStoreRouter', async () => {
  const { served } = await serveStore();
  return { store: new HttpApiKeyStore(served.url), cleanup: () => served.close() };
});

describe('apiKeyStoreRouter + HttpApiKeyStore', () => {
  let store: FakeApiKeyStore;
  let served: ServedApp;
  let client: HttpApiKeyStore;

  beforeEach(async () => {
    ({ store, served } = await serveStore());
    client = new HttpApiKeyStore(served.url);
  });
  afterEach(() => served.close());

  const post = (path: string, body: unknown, contentType = 'application/json') =>
    fetch(`${served.url}/internal/v1/api-keys${path}`, {
      method: 'POST',
      headers: { 'content-type': contentType },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });

  it('answers VALIDATION_FAILED in the common error shape to a record it cannot store, naming the field', async () => {
    const key = buildStoredApiKey();
    const cases: Array<[unknown, string]> = [
      [{ ...key, role: 'root' }, 'role'],
      [{ ...key, id: 'UPPER_CASE_ID' }, 'id'],
      [{ ...key, secret: 'cfk_...' }, 'secret'],
      [{ ...key, createdAt: 'yesterday' }, 'createdAt'],
      [{ ...key, name: undefined }, 'name'],
    ];
    for (const [body, field] of cases) {
      const response = await post('', body);
      expect(response.status).toBe(400);
      expect(await response.json()).toEqual({
        error: {
          code: 'VALIDATION_FAILED',
          message: expect.stringContaining(field),
          details: expect.anything(),
        },
      });
    }
    expect(await store.list()).toEqual([]);
  });

  it('refuses a body that is not JSON (415) or not parseable (400 MALFORMED_JSON)', async () => {
    const text = await post('', '{}', 'text/plain');
    const broken = await post('', '{"id":');

    expect(text.status).toBe(415);
    expect(await text.json()).toMatchObject({ error: { code: 'UNSUPPORTED_MEDIA_TYPE' } });
    expect(broken.status).toBe(400);
    expect(await broken.json()).toMatchObject({ error: { code: 'MALFORMED_JSON' } });
  });

  it('answers 404 API_KEY_NOT_FOUND for an unknown or malformed id, which the client reads as undefined', async () => {
    const response = await fetch(`${served.url}/internal/v1/api-keys/${'x'.repeat(300)}`);
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ error: { code: 'API_KEY_NOT_FOUND' } });
    await expect(client.get('not a key id')).resolves.toBeUndefined();
    await expect(client.revoke('../../tasks', new Date().toISOString())).resolves.toBeUndefined();
  });

  it('answers VALIDATION_FAILED to a revocation without a valid time', async () => {
    const key = buildStoredApiKey();
    await client.create(key);

    await expect(client.revoke(key.id, 'now')).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    expect(await client.get(key.id)).toEqual(key);
  });

  it('turns an unexpected store failure into INTERNAL without its message', async () => {
    store.failWith = new Error('password=hunter2 rejected by postgres');

    await expect(client.list()).rejects.toMatchObject({ code: 'INTERNAL', message: 'internal error' });
  });

  it('fails with SERVICE_UNAVAILABLE when the result-store is not reachable', async () => {
    await served.close();

    await expect(client.get(buildStoredApiKey().id)).rejects.toMatchObject({
      code: 'SERVICE_UNAVAILABLE',
      retryable: true,
    });
  });
});
