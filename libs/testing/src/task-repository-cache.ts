import { randomUUID } from 'node:crypto';
import type { TaskEvent, TaskRepository, TaskView } from '@contextforge/contracts';
import { buildTask, buildTaskEvent } from './task-fixtures';
import { uniqueName } from './unique-name';

/**
 * The result cache (CreateTaskOptions.cacheKey): a task created with the key of an earlier
 * success of the same client is created succeeded with a copy of that result; anything else is
 * created queued and keeps its key for later hits.
 */
export function describeTaskRepositoryCache(repo: () => TaskRepository): void {
  describe('result cache', () => {
    /** A task of `clientId` with `cacheKey` that succeeded with `output` on agent-cache. */
    const succeeded = async (clientId: string, cacheKey: string, output: unknown): Promise<TaskView> => {
      const { task } = await repo().createTask(buildTask({ clientId }), { cacheKey });
      const events: TaskEvent[] = [
        buildTaskEvent('dispatched', task.id, 1, { agentId: 'agent-cache' }),
        buildTaskEvent('succeeded', task.id, 1, { agentId: 'agent-cache', output, durationMs: 42 }),
      ];
      const outcomes = await repo().applyEvents(events);
      expect(outcomes.map((outcome) => outcome.outcome)).toEqual(['applied', 'applied']);
      return task;
    };

    it('creates a task with the key of an earlier success succeeded, with a copy of its result', async () => {
      const clientId = uniqueName('client');
      const key = uniqueName('key');
      const source = await succeeded(clientId, key, { answer: 42, symbols: [] });
      const task = buildTask({ clientId });

      const outcome = await repo().createTask(task, { cacheKey: key });

      expect(outcome.created).toBe(true);
      expect(outcome.task).toMatchObject({
        id: task.id,
        status: 'succeeded',
        attempt: 0,
        agentId: 'agent-cache',
        eventSeq: 2,
        fromCache: true,
      });
      expect(outcome.task.finishedAt).toBeDefined();
      expect(outcome.event).toMatchObject({ seq: 1, event: { type: 'queued', taskId: task.id, attempt: 0 } });
      expect(outcome.completion).toMatchObject({
        seq: 2,
        event: { type: 'succeeded', taskId: task.id, attempt: 0, agentId: 'agent-cache', durationMs: 42 },
      });
      expect(outcome.completion?.event).toHaveProperty('output', { answer: 42, symbols: [] });
      expect(await repo().getTask(task.id)).toEqual(outcome.task);
      expect(await repo().getResult(task.id)).toMatchObject({
        taskId: task.id,
        attempt: 0,
        agentId: 'agent-cache',
        output: { answer: 42, symbols: [] },
        durationMs: 42,
        fromCache: true,
      });
      expect(await repo().taskEvents(task.id, 0, 10)).toEqual([outcome.event, outcome.completion]);
      // The source itself ran: not marked.
      expect((await repo().getTask(source.id))?.fromCache).toBeUndefined();
      expect((await repo().getResult(source.id))?.fromCache).toBeUndefined();
    });

    it('misses on another key, another client, and a key without a success yet', async () => {
      const clientId = uniqueName('client');
      const key = uniqueName('key');
      await succeeded(clientId, key, { ok: true });
      const pending = uniqueName('key');
      await repo().createTask(buildTask({ clientId }), { cacheKey: pending });
      const failed = uniqueName('key');
      const { task: deadLettered } = await repo().createTask(buildTask({ clientId }), { cacheKey: failed });
      await repo().applyEvents([buildTaskEvent('dead_lettered', deadLettered.id, 0)]);

      const misses = [
        await repo().createTask(buildTask({ clientId }), { cacheKey: uniqueName('key') }),
        await repo().createTask(buildTask({ clientId: uniqueName('client') }), { cacheKey: key }),
        await repo().createTask(buildTask({ clientId }), { cacheKey: pending }),
        await repo().createTask(buildTask({ clientId }), { cacheKey: failed }),
        await repo().createTask(buildTask({ clientId })),
      ];

      for (const miss of misses) {
        expect(miss.created).toBe(true);
        expect(miss.task).toMatchObject({ status: 'queued', eventSeq: 1 });
        expect(miss.task.fromCache).toBeUndefined();
        expect(miss.completion).toBeUndefined();
        expect(await repo().getResult(miss.task.id)).toBeUndefined();
      }
    });

    it('serves a later task from a task that was itself created with the key and then succeeded', async () => {
      const clientId = uniqueName('client');
      const key = uniqueName('key');
      const { task: first } = await repo().createTask(buildTask({ clientId }), { cacheKey: key });
      expect(first.status).toBe('queued');
      await repo().applyEvents([buildTaskEvent('succeeded', first.id, 1, { output: { n: 1 } })]);

      const hit = await repo().createTask(buildTask({ clientId }), { cacheKey: key });

      expect(hit.task.status).toBe('succeeded');
      expect((await repo().getResult(hit.task.id))?.output).toEqual({ n: 1 });
    });

    it('answers a repeated idempotency key with the existing task, hit or not', async () => {
      const clientId = uniqueName('client');
      const key = uniqueName('key');
      await succeeded(clientId, key, { ok: 1 });
      const task = buildTask({ clientId, idempotencyKey: randomUUID() });

      const first = await repo().createTask(task, { cacheKey: key });
      const again = await repo().createTask({ ...task, id: randomUUID() }, { cacheKey: key });

      expect(first.task.status).toBe('succeeded');
      expect(again.created).toBe(false);
      expect(again.completion).toBeUndefined();
      expect(again.task).toEqual(first.task);
    });
  });
}
