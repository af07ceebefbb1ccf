import { deadLetterTopic, topicNames, type TaskView } from '@contextforge/contracts';
import { deferred } from '@contextforge/testing';
import type { EmbeddedSystem } from '../src/embedded-system';
import { gatewayFetch, startTestSystem } from './support/start-test-system';

const TASKS = 500;

describe('embedded system end to end', () => {
  let system: EmbeddedSystem;

  beforeAll(async () => {
    system = await startTestSystem();
  });

  afterAll(async () => {
    await system?.stop();
  });

  const call = (path: string, init?: RequestInit) => gatewayFetch(system)(path, init);

  const post = (path: string, body: string, contentType = 'application/json') =>
    call(`${path}`, { method: 'POST', headers: { 'content-type': contentType }, body });

  it(`runs ${TASKS} echo tasks submitted concurrently, each succeeding with exactly one result`, async () => {
    const pending = new Map<string, ReturnType<typeof deferred<TaskView>>>();
    const finished = (id: string) => {
      let entry = pending.get(id);
      if (!entry) {
        entry = deferred<TaskView>();
        pending.set(id, entry);
      }
      return entry;
    };
    const unsubscribe = system.onTaskChanged((task) => {
      if (task.status === 'succeeded' || task.status === 'dead_lettered') finished(task.id).resolve(task);
    });

    const submitted = await Promise.all(
      Array.from({ length: TASKS }, async (_, index) => {
        const response = await post('/tasks/submit', JSON.stringify({ type: 'echo', input: { index } }));
        expect(response.status).toBe(202);
        const body = (await response.json()) as { taskId: string; status: string };
        expect(body.status).toBe('queued');
        // Readable at once: a 202 is never followed by a 404.
        const read = await call(`/tasks/${body.taskId}`);
        expect(read.status).toBe(200);
        return { index, taskId: body.taskId };
      }),
    );

    const outcomes = await Promise.all(submitted.map(({ taskId }) => finished(taskId).promise));
    unsubscribe();
    expect(outcomes.filter((task) => task.status === 'succeeded')).toHaveLength(TASKS);

    for (const { index, taskId } of submitted) {
      const response = await call(`/tasks/${taskId}/result`);
      expect(response.status).toBe(200);
      const result = (await response.json()) as { taskId: string; output: unknown; attempt: number };
      expect(result).toMatchObject({ taskId, output: { index }, attempt: 1 });
    }
    const counts = await system.repository.countByStatus();
    expect(counts.succeeded).toBe(TASKS);
    expect(counts.queued + counts.dispatched + counts.running + counts.failed).toBe(0);
    const ids = new Set(submitted.map(({ taskId }) => taskId));
    expect(ids.size).toBe(TASKS);
  });

  it('answers a result request before completion with 409 RESULT_NOT_AVAILABLE and the status', async () => {
    const response = await post(
      '/tasks/submit',
      JSON.stringify({ type: 'sleep', input: { ms: 60_000 }, timeoutMs: 120_000 }),
    );
    const { taskId } = (await response.json()) as { taskId: string };
    const result = await call(`/tasks/${taskId}/result`);
    expect(result.status).toBe(409);
    const body = (await result.json()) as { error: { code: string; details: { status: string } } };
    expect(body.error.code).toBe('RESULT_NOT_AVAILABLE');
    expect(['queued', 'dispatched', 'running']).toContain(body.error.details.status);
  });

  it('keeps a task for an unknown type queued with the reason visible', async () => {
    const waiting = deferred<TaskView>();
    const unsubscribe = system.onTaskChanged((task) => {
      if (task.type === 'rust-analyzer' && task.statusReason) waiting.resolve(task);
    });
    const response = await post('/tasks/submit', JSON.stringify({ type: 'rust-analyzer', input: {} }));
    expect(response.status).toBe(202);
    const task = await waiting.promise;
    unsubscribe();
    expect(task.status).toBe('queued');
    expect(task.statusReason).toContain('no healthy agent runs rust-analyzer');
  });

  describe('bad input', () => {
    const errorOf = async (response: Response) => {
      const body = (await response.json()) as { error: { code: string; message: string; details?: unknown } };
      expect(Object.keys(body)).toEqual(['error']);
      expect(typeof body.error.message).toBe('string');
      return body.error;
    };

    it('malformed JSON -> 400 MALFORMED_JSON', async () => {
      const response = await post('/tasks/submit', '{"type": "echo",');
      expect(response.status).toBe(400);
      expect((await errorOf(response)).code).toBe('MALFORMED_JSON');
    });

    it('a body failing the schema -> 400 naming the field path', async () => {
      const response = await post('/tasks/submit', JSON.stringify({ type: 'echo', priority: 42 }));
      expect(response.status).toBe(400);
      const error = await errorOf(response);
      expect(error.code).toBe('VALIDATION_FAILED');
      expect(error.message).toContain('priority');
    });

    it('a non-JSON content type -> 415', async () => {
      const response = await post('/tasks/submit', 'type=echo', 'application/x-www-form-urlencoded');
      expect(response.status).toBe(415);
      expect((await errorOf(response)).code).toBe('UNSUPPORTED_MEDIA_TYPE');
    });

    it('unknown or malformed task id -> 404', async () => {
      for (const id of ['7d0b6a58-5d0e-4c3c-9d1c-6f9e3f1f0a11', 'not-a-uuid', '%00']) {
        const response = await call(`/tasks/${id}`);
        expect(response.status).toBe(404);
        expect((await errorOf(response)).code).toBe('TASK_NOT_FOUND');
      }
    });

    it('wrong method -> 405 with Allow', async () => {
      const response = await call(`/tasks/submit`, { method: 'PUT' });
      expect(response.status).toBe(405);
      expect(response.headers.get('allow')).toBe('POST');
      expect((await errorOf(response)).code).toBe('METHOD_NOT_ALLOWED');
    });

    it('unknown route -> 404 ROUTE_NOT_FOUND', async () => {
      const response = await call(`/nope`);
      expect(response.status).toBe(404);
      expect((await errorOf(response)).code).toBe('ROUTE_NOT_FOUND');
    });

    it('an invalid bus message is dead-lettered with the reason and the consumers keep going', async () => {
      const topics = topicNames();
      const dead = deferred<Record<string, string>>();
      const dlq = await system.bus.subscribe({
        topic: deadLetterTopic(topics.taskEvents),
        group: 'e2e-dlq-observer',
        handler: async (messages) => {
          for (const message of messages) if (message.key === 'garbage') dead.resolve(message.headers);
        },
      });
      await system.bus.publish(topics.taskEvents, [
        { key: 'garbage', value: { type: 'succeeded', taskId: 42 } },
      ]);
      const headers = await dead.promise;
      await dlq.close();
      expect(headers['x-dlq-error-code']).toBe('INVALID_MESSAGE');

      const done = deferred<TaskView>();
      const unsubscribe = system.onTaskChanged((task) => {
        if (task.status === 'succeeded' && (task.input as { after?: boolean })?.after) done.resolve(task);
      });
      const response = await post('/tasks/submit', JSON.stringify({ type: 'echo', input: { after: true } }));
      expect(response.status).toBe(202);
      expect((await done.promise).status).toBe('succeeded');
      unsubscribe();
    });
  });
});
