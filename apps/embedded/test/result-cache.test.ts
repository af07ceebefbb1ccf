import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TaskResultView, TaskView } from '@contextforge/contracts';
import { deferred } from '@contextforge/testing';
import type { EmbeddedSystem } from '../src/embedded-system';
import { gatewayFetch, startTestSystem } from './support/start-test-system';

/**
 * The result cache end to end: the built-in agents advertise their type versions, the gateway
 * computes cache keys, the result-store answers repeats of a success without dispatching them.
 */
describe('embedded system: result cache and batches', () => {
  let system: EmbeddedSystem;

  beforeAll(async () => {
    system = await startTestSystem({ CONTEXTFORGE__EMBEDDED__AGENTS: '2' });
  });

  afterAll(async () => {
    await system?.stop();
  });

  const call = (path: string, init?: RequestInit) => gatewayFetch(system)(path, init);
  const post = (path: string, body: unknown) =>
    call(path, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  /** Submits and waits until the task succeeded (registered before submitting, so nothing is missed). */
  const run = async (body: unknown): Promise<TaskView> => {
    const done = deferred<TaskView>();
    const ids = new Set<string>();
    const early: TaskView[] = [];
    const unsubscribe = system.onTaskChanged((task) => {
      if (task.status !== 'succeeded') return;
      if (ids.has(task.id)) done.resolve(task);
      else early.push(task);
    });
    try {
      const response = await post('/tasks/submit', body);
      expect(response.status).toBe(202);
      const { taskId } = (await response.json()) as { taskId: string };
      ids.add(taskId);
      const finished = early.find((task) => task.id === taskId);
      if (finished) return finished;
      const read = (await (await call(`/tasks/${taskId}`)).json()) as TaskView;
      return read.status === 'succeeded' ? read : await done.promise;
    } finally {
      unsubscribe();
    }
  };
  const result = async (id: string) => (await (await call(`/tasks/${id}/result`)).json()) as TaskResultView;
  const eventTypes = async (id: string) =>
    (await system.repository.taskEvents(id, 0, 100)).map((entry) => entry.event.type);

  it('answers a repeat from the cache without dispatching it; other input, options or type miss', async () => {
    const input = { text: 'hello', options: { upper: true } };
    const first = await run({ type: 'echo', input });
    expect(first.fromCache).toBeUndefined();
    expect(await eventTypes(first.id)).toContain('dispatched');

    const hit = await run({ type: 'echo', input: { options: { upper: true }, text: 'hello' } });
    expect(hit.fromCache).toBe(true);
    expect(await eventTypes(hit.id)).toEqual(['queued', 'succeeded']);
    expect(await result(hit.id)).toMatchObject({ output: input, fromCache: true, agentId: first.agentId });

    // The type: sleep and echo both succeed on { ms: 1 }.
    await run({ type: 'echo', input: { ms: 1 } });
    for (const body of [
      { type: 'echo', input: { text: 'hello!', options: { upper: true } } },
      { type: 'echo', input: { text: 'hello', options: { upper: false } } },
      { type: 'sleep', input: { ms: 1 } },
    ]) {
      const miss = await run(body);
      expect(miss.fromCache).toBeUndefined();
      expect(await eventTypes(miss.id)).toContain('dispatched');
    }
  });

  it('never serves from the cache a type that is not cacheable (sleep) or an input that reads files by path', async () => {
    const root = mkdtempSync(join(tmpdir(), 'cf-cache-'));
    writeFileSync(join(root, 'a.py'), 'x = 1\n');
    for (const body of [
      { type: 'sleep', input: { ms: 1 } },
      { type: 'code-analyzer', input: { root, files: [{ path: 'a.py' }] } },
    ]) {
      const first = await run(body);
      const again = await run(body);
      expect([first.fromCache, again.fromCache]).toEqual([undefined, undefined]);
      expect(await eventTypes(again.id)).toContain('dispatched');
    }
  });

  it('submits a batch whose items are readable one by one, a repeated item served from the cache', async () => {
    const response = await post('/tasks/batch', {
      tasks: [
        { type: 'echo', input: { file: 'a.ts' } },
        { type: 'echo', input: { text: 'hello', options: { upper: true } } },
      ],
    });
    expect(response.status).toBe(202);
    const { tasks } = (await response.json()) as {
      tasks: Array<{ index: number; taskId: string; status: string; fromCache?: boolean }>;
    };
    expect(tasks.map(({ index, status, fromCache }) => ({ index, status, fromCache }))).toEqual([
      { index: 0, status: 'queued', fromCache: undefined },
      { index: 1, status: 'succeeded', fromCache: true },
    ]);
    expect((await result(tasks[1]?.taskId ?? '')).output).toEqual({
      text: 'hello',
      options: { upper: true },
    });
  });
});
