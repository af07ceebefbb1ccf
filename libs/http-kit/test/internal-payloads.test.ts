import { createSilentLogger } from '@contextforge/observability';
import { FakePayloadStore, describePayloadStoreContract } from '@contextforge/testing';
import { ATTEMPT_TOKEN_HEADER, HttpPayloadStore, createServiceApp, payloadRouter } from '../src';
import { serveApp, type ServedApp } from './support/serve-app';

const BODY_LIMIT = 64 * 1024;

async function serveStore(): Promise<{ store: FakePayloadStore; served: ServedApp }> {
  const store = new FakePayloadStore();
  const served = await serveApp(
    createServiceApp({ logger: createSilentLogger(), routers: [payloadRouter(store, BODY_LIMIT)] }),
  );
  return { store, served };
}

// The HTTP client behaves like any PayloadStore, over real HTTP (the double decides the fencing).
describePayloadStoreContract('HttpPayloadStore over payloadRouter', async () => {
  const { store, served } = await serveStore();
  return {
    store: new HttpPayloadStore(served.url),
    openAttempt: async () => store.open(),
    supersede: async (attempt) => store.supersede(attempt),
    finish: async (attempt) => store.finish(attempt),
    cleanup: () => served.close(),
  };
});

describe('payloadRouter', () => {
  let store: FakePayloadStore;
  let served: ServedApp;

  beforeEach(async () => {
    ({ store, served } = await serveStore());
  });
  afterEach(() => served.close());

  const upload = (path: string, body: unknown, token?: string) =>
    fetch(`${served.url}/internal/v1/tasks/${path}/output`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', ...(token ? { [ATTEMPT_TOKEN_HEADER]: token } : {}) },
      body: JSON.stringify(body),
    });

  it('stores an upload with the token of the current attempt, and answers 201 with its id', async () => {
    const attempt = store.open();
    const response = await upload(`${attempt.taskId}/attempts/1`, { output: { n: 1 } }, attempt.token);
    expect(response.status).toBe(201);
    const ref = (await response.json()) as { id: string; bytes: number };
    expect(store.payloads.get(ref.id)).toMatchObject({
      taskId: attempt.taskId,
      attempt: 1,
      content: { n: 1 },
    });
  });

  it('refuses a wrong token with 409 STALE_TOKEN and stores nothing', async () => {
    const attempt = store.open();
    const response = await upload(`${attempt.taskId}/attempts/1`, { output: { n: 1 } }, 'forged-token');
    expect(response.status).toBe(409);
    expect(await response.json()).toMatchObject({ error: { code: 'STALE_TOKEN' } });
    expect(store.payloads.size).toBe(0);
  });

  it('answers VALIDATION_FAILED for a bad attempt or a body without output, PAYLOAD_TOO_LARGE above the limit', async () => {
    const attempt = store.open();
    const bad = await upload(`${attempt.taskId}/attempts/first`, { output: 1 }, attempt.token);
    expect(await bad.json()).toMatchObject({ error: { code: 'VALIDATION_FAILED' } });
    const bare = await upload(`${attempt.taskId}/attempts/1`, { result: 1 }, attempt.token);
    expect(await bare.json()).toMatchObject({ error: { code: 'VALIDATION_FAILED' } });
    const large = await upload(
      `${attempt.taskId}/attempts/1`,
      { output: 'x'.repeat(BODY_LIMIT) },
      attempt.token,
    );
    expect(large.status).toBe(413);
    expect(store.payloads.size).toBe(0);
  });

  it('answers 404 PAYLOAD_NOT_FOUND for an unknown payload id', async () => {
    const response = await fetch(`${served.url}/internal/v1/payloads/nope`);
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ error: { code: 'PAYLOAD_NOT_FOUND' } });
  });
});
