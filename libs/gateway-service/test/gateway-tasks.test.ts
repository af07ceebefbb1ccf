import { randomUUID } from 'node:crypto';
import type { TaskView } from '@contextforge/contracts';
import { GatewayClient, errorOf } from './support/gateway-client';

describe('gateway task routes', () => {
  let client: GatewayClient;

  beforeEach(async () => {
    client = await GatewayClient.start();
  });

  afterEach(async () => {
    await client.close();
  });

  describe('POST /tasks/submit', () => {
    it('answers 202 with the task id and a Location that reads the task', async () => {
      const response = await client.post('/tasks/submit', {
        type: 'analyze.file',
        input: { path: 'a.ts' },
        priority: 8,
      });

      expect(response.status).toBe(202);
      const body = (await response.json()) as { taskId: string; status: string };
      expect(body).toEqual({ taskId: expect.any(String), status: 'queued' });
      expect(response.headers.get('location')).toBe(`/tasks/${body.taskId}`);
      expect(response.headers.get('idempotent-replayed')).toBeNull();

      const read = await client.get(response.headers.get('location') as string);
      expect(read.status).toBe(200);
      // Defaults applied by the schema, and the authenticated client (client-a).
      expect(await read.json()).toMatchObject({
        id: body.taskId,
        clientId: 'client-a',
        type: 'analyze.file',
        input: { path: 'a.ts' },
        priority: 8,
        requiredCapabilities: [],
        timeoutMs: 30_000,
        maxAttempts: 3,
        status: 'queued',
      });
    });

    it('marks the answer to a repeated idempotency key as replayed, with the same task', async () => {
      const body = { type: 'analyze.file', input: { path: 'a.ts' }, idempotencyKey: 'once' };
      const first = await client.post('/tasks/submit', body);
      const again = await client.post('/tasks/submit', body);

      expect(again.status).toBe(202);
      expect(again.headers.get('idempotent-replayed')).toBe('true');
      expect(first.headers.get('idempotent-replayed')).toBeNull();
      expect(again.headers.get('location')).toBe(first.headers.get('location'));
      expect(((await again.json()) as { taskId: string }).taskId).toBe(
        ((await first.json()) as { taskId: string }).taskId,
      );
    });

    it('refuses an invalid submission with VALIDATION_FAILED naming the field, and a non-JSON body with 415', async () => {
      const invalid = await client.post('/tasks/submit', {
        type: 'analyze.file',
        priority: 12,
        surprise: true,
      });
      expect(invalid.status).toBe(400);
      const error = await errorOf(invalid);
      expect(error.code).toBe('VALIDATION_FAILED');
      expect(error.details?.['issues']).toEqual(
        expect.arrayContaining([expect.objectContaining({ path: 'priority' })]),
      );

      const text = await client.post('/tasks/submit', 'type=analyze.file', 'text/plain');
      expect(text.status).toBe(415);
      expect((await errorOf(text)).code).toBe('UNSUPPORTED_MEDIA_TYPE');
    });
  });

  describe('GET /tasks/{id}', () => {
    it("reads a task, and answers 404 TASK_NOT_FOUND for unknown ids, malformed ids and other clients' tasks", async () => {
      const id = await client.submit();
      await expect(client.get(`/tasks/${id}`).then((response) => response.json())).resolves.toMatchObject({
        id,
        status: 'queued',
      });

      const someoneElses = {
        ...(await client.resultStore.getTask(id)),
        id: randomUUID(),
        clientId: 'client-x',
      } as TaskView;
      client.resultStore.put(someoneElses);
      for (const path of [`/tasks/${randomUUID()}`, '/tasks/not-a-uuid', `/tasks/${someoneElses.id}`]) {
        const response = await client.get(path);
        expect(response.status).toBe(404);
        expect((await errorOf(response)).code).toBe('TASK_NOT_FOUND');
      }
    });
  });

  describe('GET /tasks/{id}/result', () => {
    it('answers 200 with the result of a succeeded task', async () => {
      const id = await client.submit();
      client.resultStore.update(
        id,
        { status: 'succeeded', attempt: 1, agentId: 'agent-a', finishedAt: new Date().toISOString() },
        {
          attempt: 1,
          agentId: 'agent-a',
          output: { findings: 2 },
          durationMs: 40,
          createdAt: new Date().toISOString(),
        },
      );

      const response = await client.get(`/tasks/${id}/result`);

      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({
        taskId: id,
        attempt: 1,
        agentId: 'agent-a',
        output: { findings: 2 },
      });
    });

    it('answers 409 RESULT_NOT_AVAILABLE with the status while the task runs (worth retrying)', async () => {
      const id = await client.submit();
      client.resultStore.update(id, { status: 'running', attempt: 1, agentId: 'agent-a' });

      const response = await client.get(`/tasks/${id}/result`);

      expect(response.status).toBe(409);
      const error = await errorOf(response);
      expect(error.code).toBe('RESULT_NOT_AVAILABLE');
      expect(error.details).toEqual({ status: 'running', retryable: true });
    });

    it('answers 409 with the status, the last error and retryable false for a dead-lettered task', async () => {
      const id = await client.submit();
      const lastError = { code: 'NON_RETRYABLE_FAILURE' as const, message: 'cannot parse', retryable: false };
      client.resultStore.update(id, { status: 'dead_lettered', attempt: 1, lastError });

      const response = await client.get(`/tasks/${id}/result`);

      expect(response.status).toBe(409);
      const error = await errorOf(response);
      expect(error.code).toBe('RESULT_NOT_AVAILABLE');
      expect(error.details).toEqual({ status: 'dead_lettered', retryable: false, lastError });
    });
  });

  describe('GET /tasks', () => {
    it("lists the client's tasks with the filters and pages it was given", async () => {
      const ids = [
        await client.submit(),
        await client.submit(),
        await client.submit({ type: 'review.diff' }),
      ];
      for (const id of ids.slice(0, 2))
        client.resultStore.update(id, { status: 'succeeded', agentId: 'agent-a' });
      const foreign = {
        ...(await client.resultStore.getTask(ids[0] as string)),
        id: randomUUID(),
        clientId: 'client-x',
      } as TaskView;
      client.resultStore.put(foreign);

      const first = await client.get('/tasks?status=succeeded&type=analyze.file&agent=agent-a&limit=1');
      expect(first.status).toBe(200);
      const page = (await first.json()) as { tasks: TaskView[]; nextCursor?: string };
      expect(client.resultStore.listCalls.at(-1)).toEqual({
        clientId: 'client-a',
        status: 'succeeded',
        type: 'analyze.file',
        agentId: 'agent-a',
        limit: 1,
      });
      expect(page.tasks.map((task) => task.id)).toEqual([ids[0]]);
      expect(page.nextCursor).toEqual(expect.any(String));

      const second = (await (
        await client.get(`/tasks?status=succeeded&limit=1&cursor=${page.nextCursor}`)
      ).json()) as { tasks: TaskView[] };
      expect(second.tasks.map((task) => task.id)).toEqual([ids[1]]);

      const all = (await (await client.get('/tasks')).json()) as { tasks: TaskView[] };
      expect(all.tasks.map((task) => task.id).sort()).toEqual([...ids].sort());
      expect(client.resultStore.listCalls.at(-1)).toEqual({ clientId: 'client-a', limit: 50 });
    });

    it.each([
      ['an unknown status', 'status=lost'],
      ['a limit of 0', 'limit=0'],
      ['a limit above 500', 'limit=501'],
      ['an unknown parameter', 'colour=blue'],
      ['a repeated parameter', 'status=queued&status=running'],
    ])('answers 400 VALIDATION_FAILED for %s', async (_what, query) => {
      const response = await client.get(`/tasks?${query}`);

      expect(response.status).toBe(400);
      expect((await errorOf(response)).code).toBe('VALIDATION_FAILED');
    });
  });
});
