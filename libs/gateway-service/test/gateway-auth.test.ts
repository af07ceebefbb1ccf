import { API_KEY_PATTERN, AppError, type Principal, type TaskView } from '@contextforge/contracts';
import { hashApiKey } from '@contextforge/auth';
import { GATEWAY_ROUTES } from '../src/rest/routes';
import { PRINCIPALS } from '@contextforge/testing';
import { GatewayClient, errorOf } from './support/gateway-client';

const registration = (id: string) => ({
  id,
  name: `agent ${id}`,
  type: 'code-analyzer',
  taskTypes: ['analyze.file'],
  endpoint: `http://${id}.internal:8001`,
});

describe('gateway authentication and authorization', () => {
  let client: GatewayClient;
  const revoked: string[] = [];
  const limited: Array<{ principal: Principal; count: number }> = [];

  beforeEach(async () => {
    revoked.length = 0;
    limited.length = 0;
    client = await GatewayClient.start({
      onApiKeyRevoked: (id) => void revoked.push(id),
      limitTasks: async (principal, count) => {
        limited.push({ principal, count });
        if (principal.id === PRINCIPALS['agent-x-key'].id) {
          throw new AppError('RATE_LIMITED', 'too many tasks', { details: { retryAfterSeconds: 3 } });
        }
      },
    });
  });
  afterEach(() => client.close());

  const concretePath = (path: string) => path.replace('{id}', '00000000-0000-4000-8000-000000000000');

  it('answers 401 UNAUTHENTICATED with WWW-Authenticate: Bearer on every authenticated route, before reading the body', async () => {
    for (const route of GATEWAY_ROUTES.filter((each) => each.auth)) {
      const attempts: Array<Record<string, string>> = [
        {},
        { authorization: 'Bearer nope' },
        { 'x-api-key': 'cfk_wrong' },
      ];
      for (const headers of attempts) {
        const response = await client.as(undefined).request(concretePath(route.path), {
          method: route.method,
          headers: { ...headers, 'content-type': 'text/plain' },
          ...(route.method === 'POST' ? { body: 'not json at all' } : {}),
        });
        expect({ route: route.operationId, status: response.status }).toEqual({
          route: route.operationId,
          status: 401,
        });
        expect(response.headers.get('www-authenticate')).toBe('Bearer');
        expect((await errorOf(response)).code).toBe('UNAUTHENTICATED');
      }
    }
  });

  it('accepts X-API-Key as well as a bearer token, and never authenticates the public routes', async () => {
    const viaHeader = await client
      .as(undefined)
      .request('/agents', { headers: { 'x-api-key': 'agent-key' } });
    expect(viaHeader.status).toBe(200);

    const before = client.authenticator.calls;
    for (const path of ['/healthz', '/readyz', '/openapi.json', '/docs']) {
      expect((await client.as(undefined).get(path)).status).toBe(200);
    }
    expect(client.authenticator.calls).toBe(before);
  });

  describe("one client and another's tasks", () => {
    let theirs: string;

    beforeEach(async () => {
      theirs = await client.as('client-b').submit();
    });

    it.each([
      ['read', 'GET', ''],
      ['cancel', 'DELETE', ''],
      ['read the result of', 'GET', '/result'],
      ['re-drive', 'POST', '/redrive'],
    ])(
      "cannot %s another client's task: 404 TASK_NOT_FOUND, as for an unknown id",
      async (_what, method, suffix) => {
        client.resultStore.update(theirs, { status: 'dead_lettered' });

        const response = await client.request(`/tasks/${theirs}${suffix}`, { method });

        expect(response.status).toBe(404);
        expect(await errorOf(response)).toEqual({ code: 'TASK_NOT_FOUND', message: `no task ${theirs}` });
        await expect(client.resultStore.getTask(theirs)).resolves.toMatchObject({ status: 'dead_lettered' });
      },
    );

    it("lists only the client's own tasks and dead letters, and skips another's in a bulk re-drive", async () => {
      const mine = await client.submit();
      for (const id of [mine, theirs]) client.resultStore.update(id, { status: 'dead_lettered' });

      const list = (await (await client.get('/tasks')).json()) as { tasks: TaskView[] };
      expect(list.tasks.map((task) => task.id)).toEqual([mine]);
      const dead = (await (await client.get('/dead-letters')).json()) as { tasks: TaskView[] };
      expect(dead.tasks.map((task) => task.id)).toEqual([mine]);

      const outcome = await client.post('/dead-letters/redrive', { taskIds: [mine, theirs] });
      expect(outcome.status).toBe(200);
      expect(await outcome.json()).toMatchObject({
        redriven: [{ id: mine, status: 'queued' }],
        skipped: [{ taskId: theirs, code: 'TASK_NOT_FOUND' }],
      });
      await expect(client.resultStore.getTask(theirs)).resolves.toMatchObject({ status: 'dead_lettered' });
    });

    it("lets an admin read, list and cancel any client's task", async () => {
      const admin = client.as('admin');
      expect((await admin.get(`/tasks/${theirs}`)).status).toBe(200);
      const list = (await (await admin.get('/tasks')).json()) as { tasks: TaskView[] };
      expect(list.tasks.map((task) => task.id)).toContain(theirs);
      expect(client.resultStore.listCalls.at(-1)).toEqual({ limit: 50 });
      const cancelled = await admin.delete(`/tasks/${theirs}`);
      expect(cancelled.status).toBe(200);
      expect(await cancelled.json()).toMatchObject({ id: theirs, status: 'cancelled' });
    });
  });

  it('answers 403 FORBIDDEN to non-admins managing agents and API keys', async () => {
    const attempts: Array<[string, string, unknown?]> = [
      ['POST', '/agents/register', registration('agent-q')],
      ['DELETE', '/agents/agent-a'],
      ['POST', '/agents/agent-a/heartbeat'],
      ['POST', '/api-keys', { name: 'mine' }],
      ['GET', '/api-keys'],
      ['DELETE', '/api-keys/abcdefghijkl'],
    ];
    for (const [method, path, body] of attempts) {
      const response =
        method === 'POST' ? await client.post(path, body) : await client.request(path, { method });
      expect({ method, path, status: response.status }).toEqual({ method, path, status: 403 });
      expect((await errorOf(response)).code).toBe('FORBIDDEN');
    }
    await expect(client.registry.getAgent('agent-a')).resolves.toBeDefined();
    // Agent keys manage agents, not keys.
    expect((await client.as('agent-key').get('/api-keys')).status).toBe(403);
  });

  it('lets an agent key bound to agent-x register, heartbeat and deregister agent-x only', async () => {
    const agentX = client.as('agent-x-key');

    const other = await agentX.post('/agents/register', registration('agent-y'));
    expect(other.status).toBe(403);
    expect(await errorOf(other)).toMatchObject({ code: 'FORBIDDEN', details: { agentId: 'agent-x' } });
    await expect(client.registry.getAgent('agent-y')).resolves.toBeUndefined();
    expect((await agentX.post('/agents/agent-a/heartbeat')).status).toBe(403);
    expect((await agentX.delete('/agents/agent-a')).status).toBe(403);

    const own = await agentX.post('/agents/register', registration('agent-x'));
    expect(own.status).toBe(200);
    expect(await own.json()).toMatchObject({ id: 'agent-x', status: 'healthy', concurrency: 10 });
    expect((await agentX.post('/agents/agent-x/heartbeat')).status).toBe(204);
    expect(client.registry.heartbeats).toEqual(['agent-x']);
    expect((await agentX.delete('/agents/agent-x')).status).toBe(204);
    await expect(client.registry.getAgent('agent-x')).resolves.toBeUndefined();
    const gone = await agentX.post('/agents/agent-x/heartbeat');
    expect(gone.status).toBe(404);
    expect((await errorOf(gone)).code).toBe('AGENT_NOT_FOUND');
  });

  it('lets an unbound agent key and an admin register any agent, validating the registration', async () => {
    expect((await client.as('agent-key').post('/agents/register', registration('agent-y'))).status).toBe(200);
    expect((await client.as('admin').post('/agents/register', registration('agent-z'))).status).toBe(200);
    const invalid = await client
      .as('admin')
      .post('/agents/register', { ...registration('agent-w'), endpoint: 'x' });
    expect(invalid.status).toBe(400);
    expect((await errorOf(invalid)).code).toBe('VALIDATION_FAILED');
    expect((await client.as('admin').delete('/agents/agent-404')).status).toBe(404);
  });

  it('submits tasks of an agent key as its principal, through the task rate limit', async () => {
    const agent = client.as('agent-key');
    const id = await agent.submit();

    await expect(client.resultStore.getTask(id)).resolves.toMatchObject({
      clientId: PRINCIPALS['agent-key'].id,
    });
    expect((await agent.get(`/tasks/${id}`)).status).toBe(200);
    expect((await client.get(`/tasks/${id}`)).status).toBe(404);
    expect(limited.at(-1)).toEqual({ principal: PRINCIPALS['agent-key'], count: 1 });

    const refused = await client.as('agent-x-key').post('/tasks/submit', { type: 'analyze.file' });
    expect(refused.status).toBe(429);
    expect(await errorOf(refused)).toMatchObject({ code: 'RATE_LIMITED', details: { retryAfterSeconds: 3 } });
  });

  it('creates, lists and revokes API keys (admin): the key is shown once and only its hash is stored', async () => {
    const admin = client.as('admin');
    const created = await admin.post('/api-keys', { name: 'eu agents', agentId: 'agent-x' });
    expect(created.status).toBe(201);
    const { key, apiKey } = (await created.json()) as { key: string; apiKey: { id: string; prefix: string } };
    expect(key).toMatch(API_KEY_PATTERN);
    expect(key.startsWith(`cfk_${apiKey.id}_`)).toBe(true);
    expect(apiKey).toEqual({
      id: expect.any(String),
      name: 'eu agents',
      role: 'agent',
      agentId: 'agent-x',
      prefix: `cfk_${apiKey.id}`,
      createdBy: 'admin-1',
      createdAt: expect.any(String),
    });

    const stored = await client.apiKeys.get(apiKey.id);
    expect(stored?.hash).toBe(hashApiKey(key));
    expect(JSON.stringify(await client.apiKeys.list())).not.toContain(key.slice(-20));

    const listed = await admin.get('/api-keys');
    expect(await listed.json()).toEqual({ apiKeys: [apiKey] });
    expect(JSON.stringify(await (await admin.get('/api-keys')).json())).not.toContain(stored?.hash);

    const revokedAnswer = await admin.delete(`/api-keys/${apiKey.id}`);
    expect(revokedAnswer.status).toBe(200);
    expect(await revokedAnswer.json()).toMatchObject({ id: apiKey.id, revokedAt: expect.any(String) });
    expect(revoked).toEqual([apiKey.id]);

    const unknown = await admin.delete('/api-keys/nope');
    expect(unknown.status).toBe(404);
    expect((await errorOf(unknown)).code).toBe('API_KEY_NOT_FOUND');
    expect(revoked).toEqual([apiKey.id]);

    const invalid = await admin.post('/api-keys', { name: '', role: 'root' });
    expect(invalid.status).toBe(400);
    expect((await errorOf(invalid)).code).toBe('VALIDATION_FAILED');
  });
});
