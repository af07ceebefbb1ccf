import { randomUUID } from 'node:crypto';
import type { EventOutcome, TaskEvent, TaskRepository, TaskView } from '@contextforge/contracts';
import { buildTask, buildTaskEvent, lifecycleEvents } from './task-fixtures';
import { uniqueName } from './unique-name';

/**
 * Per-task event sequence numbers (task-stream.ts): applied events are numbered 1, 2, 3, ... per
 * task from the creation event on, without gaps; ignored and duplicate events get no number;
 * taskEvents reads the numbered history in pages.
 */
export function describeTaskRepositorySequence(repo: () => TaskRepository): void {
  describe('event sequence numbers', () => {
    const create = async (): Promise<TaskView> =>
      (await repo().createTask(buildTask({ clientId: uniqueName('client') }))).task;
    const seqs = (outcomes: readonly EventOutcome[]) => outcomes.map((outcome) => outcome.seq);

    it('numbers the creation event 1 and hands it back with the created task only', async () => {
      const task = buildTask({ clientId: uniqueName('client') });
      const outcome = await repo().createTask(task);
      const again = await repo().createTask(task);

      expect(outcome.task.eventSeq).toBe(1);
      expect(outcome.event).toEqual({
        seq: 1,
        event: {
          type: 'queued',
          eventId: expect.any(String),
          taskId: task.id,
          attempt: 0,
          at: outcome.task.updatedAt,
        },
      });
      expect(again.created).toBe(false);
      expect(again.event).toBeUndefined();
      expect(again.task.eventSeq).toBe(1);
      expect(await repo().taskEvents(task.id, 0, 10)).toEqual([outcome.event]);
    });

    it('numbers applied events on, one batch or many, and keeps them as they were given', async () => {
      const task = await create();
      const [dispatched, started, succeeded] = lifecycleEvents(task.id) as [TaskEvent, TaskEvent, TaskEvent];

      const first = await repo().applyEvents([dispatched]);
      const rest = await repo().applyEvents([started, succeeded]);

      expect(seqs(first)).toEqual([2]);
      expect(seqs(rest)).toEqual([3, 4]);
      expect(rest.map((outcome) => outcome.task?.eventSeq)).toEqual([3, 4]);
      expect((await repo().getTask(task.id))?.eventSeq).toBe(4);
      const history = await repo().taskEvents(task.id, 0, 100);
      expect(history.map((entry) => entry.seq)).toEqual([1, 2, 3, 4]);
      expect(history.slice(1).map((entry) => entry.event)).toEqual([dispatched, started, succeeded]);
    });

    it('gives no number to ignored and duplicate events, leaving no gap', async () => {
      const task = await create();
      const dispatched = buildTaskEvent('dispatched', task.id, 1);
      const stale = buildTaskEvent('failed', task.id, 0);
      const started = buildTaskEvent('started', task.id, 1);

      const outcomes = await repo().applyEvents([dispatched, dispatched, stale, started]);
      const later = await repo().applyEvents([started, buildTaskEvent('progress', task.id, 1)]);

      expect(outcomes.map((outcome) => [outcome.outcome, outcome.seq])).toEqual([
        ['applied', 2],
        ['duplicate', undefined],
        ['ignored', undefined],
        ['applied', 3],
      ]);
      for (const outcome of outcomes.filter((candidate) => candidate.outcome !== 'applied')) {
        expect(Object.keys(outcome)).not.toContain('seq');
      }
      expect(later.map((outcome) => [outcome.outcome, outcome.seq])).toEqual([
        ['duplicate', undefined],
        ['applied', 4],
      ]);
      const history = await repo().taskEvents(task.id, 0, 100);
      expect(history.map((entry) => [entry.seq, entry.event.type])).toEqual([
        [1, 'queued'],
        [2, 'dispatched'],
        [3, 'started'],
        [4, 'progress'],
      ]);
    });

    it('numbers each task on its own within one batch', async () => {
      const [a, b] = [await create(), await create()];
      const eventsA = lifecycleEvents(a.id);
      const eventsB = lifecycleEvents(b.id);
      const interleaved = eventsA.flatMap((event, index) => [event, eventsB[index] as TaskEvent]);

      const outcomes = await repo().applyEvents(interleaved);

      expect(outcomes.map((outcome) => [outcome.taskId === a.id ? 'a' : 'b', outcome.seq])).toEqual([
        ['a', 2],
        ['b', 2],
        ['a', 3],
        ['b', 3],
        ['a', 4],
        ['b', 4],
      ]);
      expect((await repo().taskEvents(b.id, 0, 10)).map((entry) => entry.event.eventId)).toEqual([
        expect.any(String),
        ...eventsB.map((event) => event.eventId),
      ]);
    });

    it('pages the history after a number, and continues the numbering after a re-drive', async () => {
      const task = await create();
      const progress = Array.from({ length: 8 }, () => buildTaskEvent('progress', task.id, 1));
      await repo().applyEvents([
        buildTaskEvent('dispatched', task.id, 1),
        buildTaskEvent('started', task.id, 1),
        ...progress,
        buildTaskEvent('dead_lettered', task.id, 1),
        buildTaskEvent('queued', task.id, 2, { reason: 're-driven' }),
      ]);

      const page = await repo().taskEvents(task.id, 3, 4);
      const tail = await repo().taskEvents(task.id, 10, 100);

      expect(page.map((entry) => entry.seq)).toEqual([4, 5, 6, 7]);
      expect(page.map((entry) => entry.event.eventId)).toEqual(
        progress.slice(0, 4).map((event) => event.eventId),
      );
      expect(tail.map((entry) => [entry.seq, entry.event.type])).toEqual([
        [11, 'progress'],
        [12, 'dead_lettered'],
        [13, 'queued'],
      ]);
      expect((await repo().getTask(task.id))?.eventSeq).toBe(13);
      expect(await repo().taskEvents(task.id, 13, 100)).toEqual([]);
      expect(await repo().taskEvents(task.id, 0, 1)).toHaveLength(1);
    });

    it('reads no history for an unknown task, nor for events that came before their task', async () => {
      const taskId = randomUUID();
      await repo().applyEvents([buildTaskEvent('dispatched', taskId, 1)]);

      expect(await repo().taskEvents(taskId, 0, 10)).toEqual([]);
      await repo().createTask(buildTask({ id: taskId, clientId: uniqueName('client') }));
      expect((await repo().taskEvents(taskId, 0, 10)).map((entry) => entry.seq)).toEqual([1]);
    });
  });
}
