import { ContextForgeClient, type ContextForgeError } from '@contextforge/client';
import type { TaskView } from '@contextforge/contracts';
import { deferred } from '@contextforge/testing';
import { randomUUID } from 'node:crypto';
import { createServer, type AddressInfo } from 'node:net';
import type { EmbeddedSystem } from '../src/embedded-system';
import { startTestSystem } from './support/start-test-system';

/** A URL where nothing listens (a port that was just free). */
async function closedUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

/** Every REST method of the client SDK against the real embedded system. */
describe('client SDK: REST round trips against the embedded system', () => {
  let system: EmbeddedSystem;
  let client: ContextForgeClient;
  let admin: ContextForgeClient;
  let agent: ContextForgeClient;

  beforeAll(async () => {
    system = await startTestSystem({ CONTEXTFORGE__EMBEDDED__AGENTS: '2' });
    const credentials = system.credentials;
    if (!credentials) throw new Error('no development credentials');
    client = new ContextForgeClient({ baseUrl: system.url, token: credentials.clientToken });
    admin = new ContextForgeClient({ baseUrl: system.url, token: credentials.adminToken });
    agent = new ContextForgeClient({ baseUrl: system.url, apiKey: credentials.agentKey });
  });

  afterAll(async () => {
    await system?.stop();
  });

  const when = (predicate: (task: TaskView) => boolean): Promise<TaskView> => {
    const seen = deferred<TaskView>();
    const unsubscribe = system.onTaskChanged((task) => {
      if (predicate(task)) seen.resolve(task);
    });
    return seen.promise.finally(unsubscribe);
  };

  const rejection = async (promise: Promise<unknown>): Promise<ContextForgeError> => {
    try {
      await promise;
    } catch (error) {
      return error as ContextForgeError;
    }
    throw new Error('expected the call to fail');
  };

  it('submits a task, reads it and its result, and replays an idempotency key', async () => {
    const idempotencyKey = randomUUID();
    const done = when(
      (task) => task.type === 'echo' && task.idempotencyKey === idempotencyKey && task.status === 'succeeded',
    );
    const submitted = await client.submitTask({ type: 'echo', input: { hello: 'sdk' }, idempotencyKey });
    expect(submitted).toMatchObject({ status: 'queued', replayed: false });
    const again = await client.submitTask({ type: 'echo', input: { hello: 'sdk' }, idempotencyKey });
    expect(again).toEqual({ taskId: submitted.taskId, status: expect.any(String), replayed: true });

    expect((await done).id).toBe(submitted.taskId);
    const task = await client.getTask(submitted.taskId);
    expect(task).toMatchObject({ id: submitted.taskId, status: 'succeeded', clientId: 'dev-client' });
    const result = await client.getResult(submitted.taskId);
    expect(result).toMatchObject({ taskId: submitted.taskId, output: { hello: 'sdk' }, attempt: 1 });
  });

  it('lists tasks with filters and pages through all of them with the iterator', async () => {
    const type = `client-paging-${randomUUID().slice(0, 8)}`;
    const ids: string[] = [];
    for (let index = 0; index < 5; index += 1)
      ids.push((await client.submitTask({ type, input: index })).taskId);

    const first = await client.listTasks({ type, limit: 2 });
    expect(first.tasks).toHaveLength(2);
    expect(first.nextCursor).toEqual(expect.any(String));
    const second = await client.listTasks({ type, limit: 2, cursor: first.nextCursor });
    expect(second.tasks.map((task) => task.id)).not.toContain(first.tasks[0]?.id);

    const all: string[] = [];
    for await (const task of client.iterateTasks({ type, status: 'queued', limit: 2 })) all.push(task.id);
    expect(all.sort()).toEqual([...ids].sort());
    expect(all).toHaveLength(5);

    const cancelled = await client.cancelTask(ids[0] ?? '');
    expect(cancelled.status).toBe('cancelled');
    const queuedNow: string[] = [];
    for await (const task of client.iterateTasks({ type, status: 'queued' })) queuedNow.push(task.id);
    expect(queuedNow).toHaveLength(4);
    for (const id of ids.slice(1)) await client.cancelTask(id);
  });

  it('maps error answers to ContextForgeError: 400, 401, 404, 409, RESULT_NOT_AVAILABLE', async () => {
    const invalid = await rejection(client.submitTask({ type: 'Not Valid' }));
    expect(invalid).toMatchObject({ name: 'ContextForgeError', code: 'VALIDATION_FAILED', status: 400 });
    expect(invalid.details?.['issues']).toEqual(
      expect.arrayContaining([expect.objectContaining({ path: 'type' })]),
    );

    const stranger = new ContextForgeClient({ baseUrl: system.url, token: 'not-a-jwt' });
    const unauthenticated = await rejection(stranger.listTasks());
    expect(unauthenticated).toMatchObject({ code: 'UNAUTHENTICATED', status: 401 });
    expect(unauthenticated.details?.['reason']).toEqual(expect.any(String));

    const missing = await rejection(client.getTask(randomUUID()));
    expect(missing).toMatchObject({ code: 'TASK_NOT_FOUND', status: 404 });

    const waiting = await client.submitTask({ type: 'nobody-runs-this' });
    const notYet = await rejection(client.getResult(waiting.taskId));
    expect(notYet).toMatchObject({
      code: 'RESULT_NOT_AVAILABLE',
      details: expect.objectContaining({ status: 'queued' }),
    });
    await client.cancelTask(waiting.taskId);
    const final = await rejection(client.cancelTask(waiting.taskId));
    expect(final).toMatchObject({ code: 'TASK_ALREADY_FINAL', status: 409 });

    const forbidden = await rejection(client.listApiKeys());
    expect(forbidden).toMatchObject({ code: 'FORBIDDEN', status: 403 });
  });

  it('lists dead letters and re-drives them one by one and in bulk', async () => {
    const dead = when((task) => task.type === 'sleep' && task.status === 'dead_lettered');
    const { taskId } = await client.submitTask({
      type: 'sleep',
      input: { ms: 60_000 },
      timeoutMs: 50,
      maxAttempts: 1,
    });
    expect((await dead).id).toBe(taskId);

    const listed: string[] = [];
    for await (const task of client.iterateDeadLetters({ limit: 1 })) listed.push(task.id);
    expect(listed).toContain(taskId);
    expect((await client.listDeadLetters()).tasks.find((task) => task.id === taskId)?.lastError?.code).toBe(
      'TASK_TIMEOUT',
    );

    const deadAgain = when(
      (task) => task.id === taskId && task.status === 'dead_lettered' && task.attempt > 1,
    );
    const redriven = await client.redriveTask(taskId);
    expect(redriven.id).toBe(taskId);
    await deadAgain;

    const unknown = randomUUID();
    const deadThird = when(
      (task) => task.id === taskId && task.status === 'dead_lettered' && task.attempt > 2,
    );
    const outcome = await client.redriveDeadLetters([taskId, unknown]);
    expect(outcome.redriven.map((task) => task.id)).toEqual([taskId]);
    expect(outcome.skipped).toEqual([expect.objectContaining({ taskId: unknown, code: 'TASK_NOT_FOUND' })]);
    await deadThird;
    expect((await rejection(client.redriveTask(randomUUID()))).code).toBe('TASK_NOT_FOUND');
  });

  it('registers, heartbeats, reads and deregisters an agent', async () => {
    const id = `sdk-agent-${randomUUID().slice(0, 8)}`;
    const registered = await agent.registerAgent({
      id,
      name: 'SDK test agent',
      type: 'test',
      taskTypes: ['sdk-only'],
      endpoint: `memory://${id}`,
    });
    expect(registered).toMatchObject({ id, status: 'healthy', concurrency: 10 });
    await agent.heartbeatAgent(id);
    expect((await client.getAgent(id)).id).toBe(id);
    expect((await client.listAgents()).map((entry) => entry.id)).toEqual(
      expect.arrayContaining([id, 'local-agent-1']),
    );
    const health = await client.agentsHealth();
    expect(health.counts.total).toBeGreaterThanOrEqual(3);
    expect(health.agents.map((entry) => entry.id)).toContain(id);

    await agent.deregisterAgent(id);
    expect(await rejection(client.getAgent(id))).toMatchObject({ code: 'AGENT_NOT_FOUND', status: 404 });
    expect((await rejection(agent.heartbeatAgent(id))).code).toBe('AGENT_NOT_FOUND');
  });

  it('reads agent, task and performance metrics', async () => {
    const agents = await client.agentMetrics();
    expect(agents.total).toBeGreaterThanOrEqual(2);
    const tasks = await client.taskMetrics();
    expect(tasks.byStatus.succeeded).toBeGreaterThanOrEqual(1);
    const performance = await client.performanceMetrics();
    expect(performance.latencyMs.count).toBeGreaterThanOrEqual(1);
  });

  it('creates, lists and revokes API keys as an admin', async () => {
    const created = await admin.createApiKey({ name: 'sdk test key', role: 'agent' });
    expect(created.key).toMatch(/^cfk_/);
    expect((await admin.listApiKeys()).map((key) => key.id)).toContain(created.apiKey.id);
    const revoked = await admin.revokeApiKey(created.apiKey.id);
    expect(revoked.revokedAt).toEqual(expect.any(String));
    const withRevoked = new ContextForgeClient({ baseUrl: system.url, apiKey: created.key });
    expect(await rejection(withRevoked.listAgents())).toMatchObject({ code: 'UNAUTHENTICATED', status: 401 });
    expect((await rejection(admin.revokeApiKey('no-such-key'))).code).toBe('API_KEY_NOT_FOUND');
  });

  it('answers liveness, readiness and the OpenAPI document', async () => {
    const anonymous = new ContextForgeClient({ baseUrl: system.url });
    await expect(anonymous.health()).resolves.toBe('ok');
    await expect(anonymous.readiness()).resolves.toBe('ready');
    expect((await anonymous.openApiDocument())['openapi']).toEqual(expect.stringMatching(/^3\.1/));
  });

  it('reports a gateway that is not there as unreachable', async () => {
    const nowhere = new ContextForgeClient({ baseUrl: await closedUrl() });
    expect(await rejection(nowhere.listTasks())).toMatchObject({
      code: 'SERVICE_UNAVAILABLE',
      status: 0,
      unreachable: true,
    });
  });
});

describe('client SDK: rate limits', () => {
  let system: EmbeddedSystem;

  beforeAll(async () => {
    system = await startTestSystem({
      CONTEXTFORGE__EMBEDDED__AGENTS: '1',
      CONTEXTFORGE__NETWORK__RATE_LIMITING__PER_CLIENT: '2/min',
    });
  });

  afterAll(async () => {
    await system?.stop();
  });

  it('throws RATE_LIMITED with retryAfterMs, and the retry option waits only within maxDelayMs', async () => {
    const token = system.credentials?.clientToken;
    const client = new ContextForgeClient({ baseUrl: system.url, token });
    await client.submitTask({ type: 'echo' });
    await client.submitTask({ type: 'echo' });
    let limited: ContextForgeError | undefined;
    try {
      await client.submitTask({ type: 'echo' });
    } catch (error) {
      limited = error as ContextForgeError;
    }
    expect(limited).toMatchObject({ code: 'RATE_LIMITED', status: 429 });
    expect(limited?.retryAfterMs).toBeGreaterThan(1_000);
    expect(limited?.retryAfterMs).toBeLessThanOrEqual(60_000);

    // The wait the gateway asks for is longer than this client accepts: it fails at once.
    const impatient = new ContextForgeClient({
      baseUrl: system.url,
      token,
      retry: { maxAttempts: 5, maxDelayMs: 500 },
    });
    await expect(impatient.submitTask({ type: 'echo' })).rejects.toMatchObject({ code: 'RATE_LIMITED' });
  });
});
