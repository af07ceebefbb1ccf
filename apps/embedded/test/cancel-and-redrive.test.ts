import type { TaskView } from '@contextforge/contracts';
import { waitFor } from '@contextforge/testing';
import type { EmbeddedSystem } from '../src/embedded-system';
import { gatewayFetch, startTestSystem, taskChange } from './support/start-test-system';

describe('embedded system: cancellation and the dead-letter queue', () => {
  let system: EmbeddedSystem;

  beforeAll(async () => {
    system = await startTestSystem({ CONTEXTFORGE__EMBEDDED__AGENTS: '2' });
  });

  afterAll(async () => {
    await system?.stop();
  });

  const call = (path: string, init?: RequestInit) => gatewayFetch(system)(path, init);

  const when = (predicate: (task: TaskView) => boolean) => taskChange(system, predicate);

  const submit = async (body: unknown): Promise<string> => {
    const response = await call(`/tasks/submit`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(response.status).toBe(202);
    return ((await response.json()) as { taskId: string }).taskId;
  };

  const inFlight = () => system.agents.reduce((sum, agent) => sum + agent.load().inFlight, 0);

  it('cancels a running task: the handler is aborted and the task ends cancelled', async () => {
    const running = when((task) => task.type === 'sleep' && task.status === 'running');
    const id = await submit({ type: 'sleep', input: { ms: 60_000 }, timeoutMs: 120_000 });
    expect((await running).id).toBe(id);
    expect(inFlight()).toBe(1);

    const response = await call(`/tasks/${id}`, { method: 'DELETE' });
    expect(response.status).toBe(200);
    expect(((await response.json()) as TaskView).status).toBe('cancelled');
    // The scheduler hears of the cancellation on the bus and aborts the attempt at its agent; the
    // agent's load is internal state with no event of its own, so it is polled (bounded).
    await waitFor(() => inFlight() === 0, { timeoutMs: 5_000, label: 'the agent to stop the handler' });
    expect(((await (await call(`/tasks/${id}`)).json()) as TaskView).status).toBe('cancelled');

    const again = await call(`/tasks/${id}`, { method: 'DELETE' });
    expect(again.status).toBe(409);
    expect(((await again.json()) as { error: { code: string } }).error.code).toBe('TASK_ALREADY_FINAL');
  });

  it('cancels a queued task that no agent can run', async () => {
    const waiting = when((task) => task.type === 'nobody-runs-this' && task.statusReason !== undefined);
    const id = await submit({ type: 'nobody-runs-this' });
    await waiting;
    const response = await call(`/tasks/${id}`, { method: 'DELETE' });
    expect(response.status).toBe(200);
    expect(((await response.json()) as TaskView).status).toBe('cancelled');
  });

  it('lists a dead-lettered task with its last error and re-drives it with a new attempt', async () => {
    const dead = when((task) => task.type === 'sleep' && task.status === 'dead_lettered');
    const id = await submit({ type: 'sleep', input: { ms: 60_000 }, timeoutMs: 50, maxAttempts: 1 });
    const first = await dead;
    expect(first.id).toBe(id);
    expect(first.lastError?.code).toBe('TASK_TIMEOUT');

    const list = (await (await call(`/dead-letters`)).json()) as { tasks: TaskView[] };
    expect(list.tasks.map((task) => task.id)).toContain(id);
    expect(list.tasks.find((task) => task.id === id)?.lastError?.code).toBe('TASK_TIMEOUT');

    const deadAgain = when(
      (task) => task.id === id && task.status === 'dead_lettered' && task.attempt > first.attempt,
    );
    const redrive = await call(`/tasks/${id}/redrive`, { method: 'POST' });
    expect(redrive.status).toBe(202);
    const requeued = (await redrive.json()) as TaskView;
    expect(requeued).toMatchObject({ id, status: 'queued' });
    expect(requeued.attempt).toBeGreaterThan(first.attempt);
    expect((await deadAgain).lastError?.code).toBe('TASK_TIMEOUT');

    const notDead = await call(`/dead-letters/redrive`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ taskIds: [id, '7d0b6a58-5d0e-4c3c-9d1c-6f9e3f1f0a11'] }),
    });
    expect(notDead.status).toBe(200);
    const outcome = (await notDead.json()) as { redriven: TaskView[]; skipped: Array<{ code: string }> };
    expect(outcome.redriven.map((task) => task.id)).toEqual([id]);
    expect(outcome.skipped.map((entry) => entry.code)).toEqual(['TASK_NOT_FOUND']);
  });
});
