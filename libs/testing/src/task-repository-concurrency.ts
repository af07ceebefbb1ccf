import type { EventOutcome, TaskEvent, TaskRepository, TaskView } from '@contextforge/contracts';
import { buildTask, buildTaskEvent } from './task-fixtures';
import { uniqueName } from './unique-name';

const TASKS = 60;
const BATCH = 10;

/**
 * Races two writers (one repository twice, or two replicas) over the same tasks, all at queued
 * attempt 0. Both send their events in batches of 10 in the same task order, so their batches hit
 * the same rows at about the same time.
 *
 * - Lost updates: writer A sends `succeeded` of attempt 1, writer B `dispatched` of attempt 2. In
 *   any serial order exactly one of the two applies (A first: the task is final, B is ignored; B
 *   first: A is stale). A store that lets both read the task before either writes applies both,
 *   and ends with a task whose status and result disagree.
 * - Redelivery: both send the same `failed` events (failed -> failed is an allowed move, so a
 *   second application would be reported as applied). Each event must be applied by exactly one
 *   writer and be a duplicate for the other.
 * - Numbering: both send different `progress` events for the same running tasks (all apply). Each
 *   task's numbers must stay contiguous and unique across the two writers, and its history must
 *   hold each applied event under the number its writer was told.
 */
export function describeTaskRepositoryConcurrency(
  repo: () => TaskRepository,
  openReplica: () => (() => Promise<TaskRepository>) | undefined,
  replicas: boolean,
): void {
  const withReplica = async (race: Race): Promise<void> => {
    const open = openReplica();
    if (!open) throw new Error('the subject has no openReplica although the suite runs with replicas: true');
    const replica = await open();
    try {
      await race(repo(), replica);
    } finally {
      await replica.close();
    }
  };

  describe('concurrent writers', () => {
    it('loses no update when one repository applies overlapping batches concurrently', async () => {
      await raceForUpdates(repo(), repo());
    });

    it('applies events delivered twice at once exactly once (one repository)', async () => {
      await raceSameEvents(repo(), repo());
    });

    it('keeps each task\u2019s numbers contiguous when batches on the same tasks race (one repository)', async () => {
      await raceForNumbers(repo(), repo());
    });

    if (replicas) {
      it('loses no update when two replicas apply events of the same tasks concurrently', async () => {
        await withReplica(raceForUpdates);
      });

      it('applies events delivered to two replicas at once exactly once', async () => {
        await withReplica(raceSameEvents);
      });

      it('keeps each task\u2019s numbers contiguous when two replicas apply events of the same tasks', async () => {
        await withReplica(raceForNumbers);
      });
    }
  });
}

type Race = (writerA: TaskRepository, writerB: TaskRepository) => Promise<void>;

async function createTasks(repository: TaskRepository): Promise<TaskView[]> {
  const clientId = uniqueName('client');
  return Promise.all(
    Array.from({ length: TASKS }, async () => (await repository.createTask(buildTask({ clientId }))).task),
  );
}

async function raceForUpdates(writerA: TaskRepository, writerB: TaskRepository): Promise<void> {
  const tasks = await createTasks(writerA);
  const succeeded = tasks.map((task) =>
    buildTaskEvent('succeeded', task.id, 1, { agentId: 'agent-a', output: { by: 'a' } }),
  );
  const dispatched = tasks.map((task) => buildTaskEvent('dispatched', task.id, 2, { agentId: 'agent-b' }));

  const [outcomesA, outcomesB] = await Promise.all([
    inBatches(writerA, succeeded),
    inBatches(writerB, dispatched),
  ]);

  const appliedA = appliedTaskIds(outcomesA);
  const appliedB = appliedTaskIds(outcomesB);
  const appliedByBoth = tasks
    .filter((task) => appliedA.has(task.id) && appliedB.has(task.id))
    .map((task) => task.id);
  const appliedByNone = tasks
    .filter((task) => !appliedA.has(task.id) && !appliedB.has(task.id))
    .map((task) => task.id);
  expect({ appliedByBoth, appliedByNone }).toEqual({ appliedByBoth: [], appliedByNone: [] });

  for (const task of tasks) {
    const [stored, result] = await Promise.all([writerA.getTask(task.id), writerA.getResult(task.id)]);
    const expected = appliedA.has(task.id)
      ? { status: 'succeeded', attempt: 1, hasResult: true }
      : { status: 'dispatched', attempt: 2, hasResult: false };
    expect({
      id: task.id,
      status: stored?.status,
      attempt: stored?.attempt,
      hasResult: result !== undefined,
    }).toEqual({
      id: task.id,
      ...expected,
    });
  }
}

async function raceSameEvents(writerA: TaskRepository, writerB: TaskRepository): Promise<void> {
  const tasks = await createTasks(writerA);
  const failed = tasks.map((task) => buildTaskEvent('failed', task.id, 0));

  const [outcomesA, outcomesB] = await Promise.all([inBatches(writerA, failed), inBatches(writerB, failed)]);

  const pairs = failed.map((event, index) =>
    [outcomesA[index]?.outcome, outcomesB[index]?.outcome].sort().join('+'),
  );
  expect(pairs).toEqual(failed.map(() => 'applied+duplicate'));
}

async function raceForNumbers(writerA: TaskRepository, writerB: TaskRepository): Promise<void> {
  const tasks = await createTasks(writerA);
  await writerA.applyEvents(
    tasks.flatMap((task) => [
      buildTaskEvent('dispatched', task.id, 1),
      buildTaskEvent('started', task.id, 1),
    ]),
  );
  const progress = () => tasks.flatMap((task) => [1, 2].map(() => buildTaskEvent('progress', task.id, 1)));
  const [eventsA, eventsB] = [progress(), progress()];

  const [outcomesA, outcomesB] = await Promise.all([
    inBatches(writerA, eventsA),
    inBatches(writerB, eventsB),
  ]);

  const toldSeq = new Map<string, number | undefined>();
  for (const [index, outcome] of [...outcomesA, ...outcomesB].entries()) {
    const event = index < eventsA.length ? eventsA[index] : eventsB[index - eventsA.length];
    toldSeq.set(event?.eventId ?? '', outcome.seq);
  }
  for (const task of tasks) {
    const history = await writerA.taskEvents(task.id, 0, 100);
    const numbered = history.map((entry) => ({
      seq: entry.seq,
      toldSeq: entry.seq > 3 ? toldSeq.get(entry.event.eventId) : entry.seq,
    }));
    expect({ id: task.id, numbered }).toEqual({
      id: task.id,
      numbered: [1, 2, 3, 4, 5, 6, 7].map((seq) => ({ seq, toldSeq: seq })),
    });
    expect((await writerA.getTask(task.id))?.eventSeq).toBe(7);
  }
}

async function inBatches(repository: TaskRepository, events: readonly TaskEvent[]): Promise<EventOutcome[]> {
  const outcomes: EventOutcome[] = [];
  for (let start = 0; start < events.length; start += BATCH) {
    outcomes.push(...(await repository.applyEvents(events.slice(start, start + BATCH))));
  }
  return outcomes;
}

function appliedTaskIds(outcomes: readonly EventOutcome[]): Set<string> {
  return new Set(
    outcomes.filter((outcome) => outcome.outcome === 'applied').map((outcome) => outcome.taskId),
  );
}
