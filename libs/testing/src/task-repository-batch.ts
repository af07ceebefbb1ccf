import { randomUUID } from 'node:crypto';
import type { CreateTaskResult, TaskRepository } from '@contextforge/contracts';
import { buildTask, lifecycleEvents } from './task-fixtures';
import { uniqueName } from './unique-name';

/**
 * `createTasks`: the batch form of createTask, answered in item order with createTask's per-item
 * guarantees (creation event, idempotency, conflicts, cache keys); one item's error leaves the
 * others stored.
 */
export function describeTaskRepositoryBatch(repo: () => TaskRepository): void {
  describe('createTasks', () => {
    const outcomeOf = (result: CreateTaskResult | undefined) => {
      if (!result?.ok) throw new Error(`expected an outcome, got ${JSON.stringify(result)}`);
      return result.outcome;
    };

    it('creates every task queued with its creation event, in item order, with inputs and capabilities as given', async () => {
      const clientId = uniqueName('client');
      const tasks = [
        buildTask({ clientId, input: { n: 1, nested: { list: [1, 'two', null] } } }),
        buildTask({ clientId, requiredCapabilities: [], priority: 9 }),
        buildTask({
          clientId,
          requiredCapabilities: ['go', 'with "quotes", commas {}'],
          parentId: randomUUID(),
        }),
      ];

      const results = await repo().createTasks(tasks.map((task) => ({ task })));

      expect(results.map((result) => outcomeOf(result).task.id)).toEqual(tasks.map((task) => task.id));
      for (const [index, task] of tasks.entries()) {
        const outcome = outcomeOf(results[index]);
        expect(outcome.created).toBe(true);
        expect(outcome.event).toMatchObject({
          seq: 1,
          event: { type: 'queued', taskId: task.id, attempt: 0 },
        });
        expect(await repo().getTask(task.id)).toEqual(outcome.task);
        expect(outcome.task).toMatchObject({
          status: 'queued',
          attempt: 0,
          eventSeq: 1,
          input: task.input,
          priority: task.priority,
          requiredCapabilities: task.requiredCapabilities,
        });
        expect(await repo().taskEvents(task.id, 0, 10)).toEqual([outcome.event]);
      }
    });

    it('answers a repeated idempotency key within the batch and across batches with the first task', async () => {
      const clientId = uniqueName('client');
      const [stored] = await repo().createTasks([
        { task: buildTask({ clientId, idempotencyKey: 'earlier' }) },
      ]);

      const results = await repo().createTasks([
        { task: buildTask({ clientId, idempotencyKey: 'same' }) },
        { task: buildTask({ clientId, idempotencyKey: 'same' }) },
        { task: buildTask({ clientId, idempotencyKey: 'earlier' }) },
        { task: buildTask({ clientId }) },
      ]);

      const [first, repeat, earlier, fresh] = results.map(outcomeOf);
      expect(first?.created).toBe(true);
      expect(repeat).toEqual({ created: false, task: first?.task });
      expect(earlier).toEqual({ created: false, task: outcomeOf(stored).task });
      expect(fresh?.created).toBe(true);
      expect((await repo().listTasks({ clientId })).tasks).toHaveLength(3);
    });

    it('answers a conflicting item with its error and still stores the others', async () => {
      const clientId = uniqueName('client');
      await repo().createTask(buildTask({ clientId, idempotencyKey: 'taken', input: { a: 1 } }));
      const before = buildTask({ clientId });
      const after = buildTask({ clientId });

      const [first, conflict, last] = await repo().createTasks([
        { task: before },
        { task: buildTask({ clientId, idempotencyKey: 'taken', input: { a: 2 } }) },
        { task: after },
      ]);

      expect(outcomeOf(first).created).toBe(true);
      expect(conflict).toMatchObject({ ok: false, error: { code: 'IDEMPOTENCY_CONFLICT' } });
      expect(outcomeOf(last).created).toBe(true);
      expect(await repo().getTask(before.id)).toBeDefined();
      expect(await repo().getTask(after.id)).toBeDefined();
    });

    it('serves a cache hit within a batch like createTask does', async () => {
      const clientId = uniqueName('client');
      const cacheKey = uniqueName('key');
      const { task: source } = await repo().createTask(buildTask({ clientId }), { cacheKey });
      await repo().applyEvents(lifecycleEvents(source.id));

      const [plain, hit] = await repo().createTasks([
        { task: buildTask({ clientId }) },
        { task: buildTask({ clientId }), options: { cacheKey } },
      ]);

      expect(outcomeOf(plain).task.status).toBe('queued');
      expect(outcomeOf(hit).task).toMatchObject({ status: 'succeeded', fromCache: true });
      expect(outcomeOf(hit).completion).toMatchObject({
        seq: 2,
        event: { type: 'succeeded', output: { taskId: source.id, ok: true } },
      });
    });

    it('stores the cache key of a batch item that misses, so it serves a later hit', async () => {
      const clientId = uniqueName('client');
      const cacheKey = uniqueName('key');
      const [miss, other] = (
        await repo().createTasks([
          { task: buildTask({ clientId }), options: { cacheKey } },
          { task: buildTask({ clientId }), options: { cacheKey: uniqueName('key') } },
        ])
      ).map(outcomeOf);
      expect(miss?.task.status).toBe('queued');
      expect(other?.task.status).toBe('queued');
      await repo().applyEvents(lifecycleEvents(miss?.task.id ?? ''));

      const [hit] = await repo().createTasks([
        { task: buildTask({ clientId }), options: { cacheKey } },
        { task: buildTask({ clientId }) },
      ]);

      expect(outcomeOf(hit).task).toMatchObject({ status: 'succeeded', fromCache: true });
      expect(await repo().getResult(outcomeOf(hit).task.id)).toMatchObject({
        output: { taskId: miss?.task.id, ok: true },
        fromCache: true,
      });
    });

    it('answers an empty batch with nothing', async () => {
      expect(await repo().createTasks([])).toEqual([]);
    });
  });
}
