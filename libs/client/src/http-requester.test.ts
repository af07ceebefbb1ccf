import { ContextForgeClient } from './contextforge-client';
import type { ContextForgeError } from './contextforge-error';

const TASK_ID = '6f1c1a52-8f0e-4d38-9d7a-3f3d3b1f1a01';

/** A fetch that answers from a list and records every request. */
function scriptedFetch(answers: Array<() => Response>) {
  const requests: Array<{ url: string; init: RequestInit | undefined }> = [];
  const fetchFn = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    requests.push({ url: String(input), init });
    const next = answers.shift();
    if (!next) throw new Error('no more scripted answers');
    return next();
  };
  return { fetch: fetchFn as typeof fetch, requests };
}

const json =
  (status: number, body: unknown, headers: Record<string, string> = {}) =>
  () =>
    new Response(JSON.stringify(body), {
      status,
      headers: { 'content-type': 'application/json', ...headers },
    });
const rateLimited = (retryAfterMs: number) =>
  json(
    429,
    { error: { code: 'RATE_LIMITED', message: 'too many', details: { retryAfterMs } } },
    { 'retry-after': '1' },
  );

const rejection = async (promise: Promise<unknown>): Promise<ContextForgeError> => {
  try {
    await promise;
  } catch (error) {
    return error as ContextForgeError;
  }
  throw new Error('expected a rejection');
};

describe('ContextForgeClient over a scripted fetch', () => {
  it('sends the token and API key, and validates the answer with the contract schema', async () => {
    const { fetch, requests } = scriptedFetch([
      json(202, { taskId: TASK_ID, status: 'queued' }, { 'idempotent-replayed': 'true' }),
    ]);
    const client = new ContextForgeClient({
      baseUrl: 'http://gw.test/api/',
      token: 't0k',
      apiKey: 'cfk_a_b',
      fetch,
    });
    await expect(client.submitTask({ type: 'echo', input: 1 })).resolves.toEqual({
      taskId: TASK_ID,
      status: 'queued',
      replayed: true,
    });
    expect(requests[0]?.url).toBe('http://gw.test/api/tasks/submit');
    expect(requests[0]?.init?.headers).toMatchObject({ authorization: 'Bearer t0k', 'x-api-key': 'cfk_a_b' });
    expect(JSON.parse(String(requests[0]?.init?.body))).toEqual({ type: 'echo', input: 1 });
  });

  it('refuses a 2xx answer that does not match the contract', async () => {
    const { fetch } = scriptedFetch([json(200, { id: 'not-a-task' })]);
    const client = new ContextForgeClient({ baseUrl: 'http://gw.test', fetch });
    const error = await rejection(client.getTask(TASK_ID));
    expect(error.code).toBe('INTERNAL');
    expect(error.message).toContain('does not match the API contract');
    expect(error.details?.['issues']).toEqual(
      expect.arrayContaining([expect.objectContaining({ path: 'status' })]),
    );
  });

  it('does not retry unless asked to', async () => {
    const { fetch, requests } = scriptedFetch([rateLimited(5), json(200, { agents: [] })]);
    const client = new ContextForgeClient({ baseUrl: 'http://gw.test', fetch });
    const error = await rejection(client.listAgents());
    expect(error).toMatchObject({ code: 'RATE_LIMITED', status: 429, retryAfterMs: 5 });
    expect(requests).toHaveLength(1);
  });

  it('retries RATE_LIMITED and 503 answers when asked, then succeeds', async () => {
    const unavailable = json(
      503,
      { error: { code: 'SERVICE_UNAVAILABLE', message: 'db down' } },
      { 'retry-after': '0' },
    );
    const { fetch, requests } = scriptedFetch([rateLimited(5), unavailable, json(200, { agents: [] })]);
    const client = new ContextForgeClient({ baseUrl: 'http://gw.test', fetch, retry: { maxAttempts: 3 } });
    await expect(client.listAgents()).resolves.toEqual([]);
    expect(requests).toHaveLength(3);
  });

  it('gives up after maxAttempts and when Retry-After is longer than maxDelayMs', async () => {
    const twice = scriptedFetch([rateLimited(1), rateLimited(1), json(200, { agents: [] })]);
    const client = new ContextForgeClient({
      baseUrl: 'http://gw.test',
      fetch: twice.fetch,
      retry: { maxAttempts: 2 },
    });
    expect((await rejection(client.listAgents())).code).toBe('RATE_LIMITED');
    expect(twice.requests).toHaveLength(2);

    const long = scriptedFetch([rateLimited(60_000), json(200, { agents: [] })]);
    const patient = new ContextForgeClient({
      baseUrl: 'http://gw.test',
      fetch: long.fetch,
      retry: { maxAttempts: 5, maxDelayMs: 1_000 },
    });
    expect((await rejection(patient.listAgents())).retryAfterMs).toBe(60_000);
    expect(long.requests).toHaveLength(1);
  });

  it('reports an unreachable gateway as SERVICE_UNAVAILABLE with status 0', async () => {
    const refused = Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } });
    const client = new ContextForgeClient({
      baseUrl: 'http://gw.test',
      fetch: (async () => Promise.reject(refused)) as typeof fetch,
    });
    const error = await rejection(client.agentsHealth());
    expect(error).toMatchObject({ code: 'SERVICE_UNAVAILABLE', status: 0, unreachable: true });
    expect(error.message).toBe('cannot reach the gateway at http://gw.test: ECONNREFUSED');
  });

  it('walks every page of a task listing', async () => {
    const view = (n: number) => ({
      id: `6f1c1a52-8f0e-4d38-9d7a-3f3d3b1f1a0${n}`,
      clientId: 'c',
      type: 'echo',
      input: n,
      priority: 5,
      requiredCapabilities: [],
      timeoutMs: 1000,
      maxAttempts: 1,
      createdAt: '2025-01-01T00:00:00.000Z',
      status: 'queued',
      attempt: 0,
      updatedAt: '2025-01-01T00:00:00.000Z',
      eventSeq: 1,
    });
    const { fetch, requests } = scriptedFetch([
      json(200, { tasks: [view(1), view(2)], nextCursor: 'c1' }),
      json(200, { tasks: [view(3)] }),
    ]);
    const client = new ContextForgeClient({ baseUrl: 'http://gw.test', fetch });
    const seen: unknown[] = [];
    for await (const task of client.iterateTasks({ status: 'queued', limit: 2 })) seen.push(task.input);
    expect(seen).toEqual([1, 2, 3]);
    expect(requests.map((request) => new URL(request.url).search)).toEqual([
      '?status=queued&limit=2',
      '?status=queued&limit=2&cursor=c1',
    ]);
  });

  it('uploads an archive as application/gzip with its options in the query; a stream is never retried', async () => {
    const { fetch, requests } = scriptedFetch([
      json(202, { jobId: TASK_ID, status: 'queued' }),
      rateLimited(10),
    ]);
    const client = new ContextForgeClient({ baseUrl: 'http://gw.test', token: 't', fetch, retry: true });
    const archive = new Uint8Array([0x1f, 0x8b, 1, 2]);
    await expect(
      client.submitRepositoryJob({ archive, chunkBytes: 300, analyzers: ['code-analyzer', 'indexer'] }),
    ).resolves.toEqual({ jobId: TASK_ID, status: 'queued', replayed: false });
    expect(requests[0]?.url).toBe(
      'http://gw.test/jobs/repository?chunkBytes=300&analyzers=code-analyzer%2Cindexer',
    );
    expect(requests[0]?.init?.headers).toMatchObject({ 'content-type': 'application/gzip' });
    expect(requests[0]?.init?.body).toBe(archive);

    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(archive);
        controller.close();
      },
    });
    const error = await rejection(client.submitRepositoryJob({ archive: stream }));
    expect(error.code).toBe('RATE_LIMITED');
    expect(requests).toHaveLength(2);
    expect(requests[1]?.init).toMatchObject({ body: stream, duplex: 'half' });
  });
});
