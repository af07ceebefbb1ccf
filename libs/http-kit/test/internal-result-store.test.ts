import { TaskSubmissionSchema, type TaskStatus } from '@contextforge/contracts';
import { createSilentLogger } from '@contextforge/observability';
import { randomUUID } from 'node:crypto';
import { createServiceApp, HttpResultStoreClient, resultStoreRouter } from '../src';
import { InMemoryResultStore } from './support/in-memory-result-store';
import { serveApp, type ServedApp } from './support/serve-app';

describe('resultStoreRouter + HttpResultStoreClient', () => {
  let store: InMemoryResultStore;
  let served: ServedApp;
  let client: HttpResultStoreClient;
  const submission = (input: unknown, extra: Record<string, unknown> = {}) =>
    TaskSubmissionSchema.parse({ type: 'analyze.file', input, ...extra });

  beforeEach(async () => {
    store = new InMemoryResultStore();
    served = await serveApp(
      createServiceApp({ logger: createSilentLogger(), routers: [resultStoreRouter(store, 2_048)] }),
    );
    client = new HttpResultStoreClient(served.url);
  });
  afterEach(() => served.close());

  it('submits a task and reads it back', async () => {
    const outcome = await client.submit(submission({ path: 'a.ts' }, { priority: 7 }), 'client-1');
    expect(outcome.created).toBe(true);
    expect(outcome.task).toMatchObject({
      clientId: 'client-1',
      type: 'analyze.file',
      priority: 7,
      status: 'queued',
      input: { path: 'a.ts' },
    });
    await expect(client.getTask(outcome.task.id)).resolves.toEqual(outcome.task);
  });

  it('returns the existing task for a repeated idempotency key, and the IDEMPOTENCY_CONFLICT of a different body', async () => {
    const first = await client.submit(submission({ n: 1 }, { idempotencyKey: 'k-1' }), 'client-1');
    const again = await client.submit(submission({ n: 1 }, { idempotencyKey: 'k-1' }), 'client-1');
    expect(again).toEqual({ task: first.task, created: false });
    await expect(
      client.submit(submission({ n: 2 }, { idempotencyKey: 'k-1' }), 'client-1'),
    ).rejects.toMatchObject({
      code: 'IDEMPOTENCY_CONFLICT',
      retryable: false,
    });
  });

  it('reads an unknown task or a missing result as undefined (TASK_NOT_FOUND)', async () => {
    await expect(client.getTask(randomUUID())).resolves.toBeUndefined();
    await expect(client.getTask('not/a uuid?')).resolves.toBeUndefined();
    const { task } = await client.submit(submission(null), 'client-1');
    await expect(client.getResult(task.id)).resolves.toBeUndefined();
    const result = store.complete(task.id, { findings: ['x'] });
    await expect(client.getResult(task.id)).resolves.toEqual(result);
  });

  it('passes list filters through the query string with their types and pages with the cursor', async () => {
    for (const n of [1, 2, 3]) await client.submit(submission({ n }), 'client-1');
    await client.submit(submission({ n: 4 }), 'client-2');
    const first = await client.listTasks({ clientId: 'client-1', status: 'queued', limit: 2 });
    expect(store.filters.at(-1)).toEqual({ clientId: 'client-1', status: 'queued', limit: 2 });
    expect(first.tasks.map((task) => task.input)).toEqual([{ n: 1 }, { n: 2 }]);
    expect(first.nextCursor).toBeDefined();
    const second = await client.listTasks({ clientId: 'client-1', limit: 2, cursor: first.nextCursor });
    expect(second.tasks.map((task) => task.input)).toEqual([{ n: 3 }]);
    expect(second.nextCursor).toBeUndefined();
  });

  it('answers VALIDATION_FAILED to an invalid submission, naming the field', async () => {
    const invalid = { ...submission(null), priority: 42 };
    const error = await client.submit(invalid, 'client-1').catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: 'VALIDATION_FAILED',
      message: expect.stringContaining('submission.priority'),
    });
    await expect(
      client.submit({ ...submission(null), colour: 'red' } as never, 'client-1'),
    ).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
    });
    await expect(client.submit(submission(null), '')).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
  });

  it('answers VALIDATION_FAILED to an invalid list query', async () => {
    await expect(client.listTasks({ status: 'finished' as TaskStatus })).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
    });
    await expect(client.listTasks({ limit: 0 })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
  });

  it('refuses a body that is not JSON (415) or over the limit (413)', async () => {
    const text = await fetch(`${served.url}/internal/v1/tasks`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: '{}',
    });
    expect(text.status).toBe(415);
    expect(await text.json()).toMatchObject({ error: { code: 'UNSUPPORTED_MEDIA_TYPE' } });
    await expect(client.submit(submission('x'.repeat(4_096)), 'client-1')).rejects.toMatchObject({
      code: 'PAYLOAD_TOO_LARGE',
    });
  });

  it('reads a task\u2019s events after a number, passing after and limit through, and [] for an unknown task', async () => {
    const { task } = await client.submit(submission({ n: 1 }), 'client-1');
    await client.cancel(task.id, 'client asked');

    const all = await client.taskEvents(task.id, 0);
    const after = await client.taskEvents(task.id, 1, 5_000);

    expect(all).toEqual([
      { seq: 1, event: expect.objectContaining({ type: 'queued', taskId: task.id }) },
      { seq: 2, event: expect.objectContaining({ type: 'cancelled', reason: 'client asked' }) },
    ]);
    expect(after.map((entry) => entry.seq)).toEqual([2]);
    expect(store.eventQueries).toEqual([
      [task.id, 0, undefined],
      [task.id, 1, 5_000],
    ]);
    await expect(client.taskEvents(randomUUID(), 0)).resolves.toEqual([]);
  });

  it('answers VALIDATION_FAILED to a bad events query', async () => {
    const { task } = await client.submit(submission(null), 'client-1');
    for (const query of ['after=-1', 'after=1.5', 'after=x', 'limit=0', 'limit=2.5']) {
      const response = await fetch(`${served.url}/internal/v1/tasks/${task.id}/events?${query}`);
      expect({ query, status: response.status }).toEqual({ query, status: 400 });
      expect(await response.json()).toMatchObject({ error: { code: 'VALIDATION_FAILED' } });
    }
    expect(store.eventQueries).toEqual([]);
  });

  it('reads the task metrics', async () => {
    await expect(client.taskMetrics()).resolves.toEqual(store.metrics);
  });

  it('turns an unexpected store failure into INTERNAL without its message', async () => {
    store.failWith = new Error('password=hunter2 rejected by postgres');
    const error = await client.getTask(randomUUID()).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'INTERNAL', message: 'internal error' });
  });

  it('fails with SERVICE_UNAVAILABLE when the result-store is not reachable', async () => {
    await served.close();
    await expect(client.getTask(randomUUID())).rejects.toMatchObject({
      code: 'SERVICE_UNAVAILABLE',
      retryable: true,
    });
  });
});
