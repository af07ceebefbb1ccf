import type { TaskView } from '@contextforge/contracts';
import { buildTask, buildTaskEvent } from '@contextforge/testing';
import { planEvents } from './plan-events';
import { newTaskView } from './task-records';

const now = new Date('2030-01-01T00:00:00.000Z');

function queuedTask(): TaskView {
  return newTaskView(buildTask(), new Date('2029-12-31T00:00:00.000Z'));
}

describe('planEvents', () => {
  it('updates each changed task once, with its final state', () => {
    const task = queuedTask();
    const events = [buildTaskEvent('dispatched', task.id, 1), buildTaskEvent('started', task.id, 1)];

    const plan = planEvents(events, new Map([[task.id, task]]), new Set(), now);

    expect(plan.updates).toEqual([
      {
        ...task,
        status: 'running',
        attempt: 1,
        agentId: 'agent-a',
        updatedAt: now.toISOString(),
        eventSeq: 3,
      },
    ]);
    expect(plan.records.map((record) => record.outcome)).toEqual(['applied', 'applied']);
  });

  it('numbers applied events on from each task\u2019s eventSeq, and neither ignored nor duplicate ones', () => {
    const a: TaskView = { ...queuedTask(), eventSeq: 7 };
    const b = queuedTask();
    const dispatched = buildTaskEvent('dispatched', a.id, 1);
    const events = [
      dispatched,
      buildTaskEvent('dispatched', b.id, 1),
      dispatched,
      buildTaskEvent('failed', a.id, 0),
      buildTaskEvent('started', a.id, 1),
    ];

    const plan = planEvents(
      events,
      new Map([
        [a.id, a],
        [b.id, b],
      ]),
      new Set(),
      now,
    );

    expect(plan.outcomes.map((outcome) => [outcome.outcome, outcome.seq])).toEqual([
      ['applied', 8],
      ['applied', 2],
      ['duplicate', undefined],
      ['ignored', undefined],
      ['applied', 9],
    ]);
    expect(plan.records.map((record) => record.seq)).toEqual([8, 2, undefined, 9]);
    expect(plan.updates.map((task) => [task.id, task.eventSeq])).toEqual([
      [a.id, 9],
      [b.id, 2],
    ]);
  });

  it('stores ignored events with their reason, but not duplicates or unknown-task events', () => {
    const task = queuedTask();
    const stored = buildTaskEvent('dispatched', task.id, 1);
    const stale = buildTaskEvent('failed', task.id, 0);
    const unknown = buildTaskEvent('started', '00000000-0000-4000-8000-000000000000', 1);
    const events = [buildTaskEvent('dispatched', task.id, 2), stale, stored, unknown];

    const plan = planEvents(events, new Map([[task.id, task]]), new Set([stored.eventId]), now);

    expect(plan.outcomes.map((outcome) => outcome.outcome)).toEqual([
      'applied',
      'ignored',
      'duplicate',
      'unknown_task',
    ]);
    expect(plan.records.map((record) => [record.event.eventId, record.outcome, record.reason])).toEqual([
      [events[0]?.eventId, 'applied', undefined],
      [stale.eventId, 'ignored', 'STALE_ATTEMPT'],
    ]);
  });

  it('yields a result for an applied succeeded event, rounding its duration, and sets finishedAt', () => {
    const task = queuedTask();
    const succeeded = buildTaskEvent('succeeded', task.id, 1, {
      output: { ok: true, skipped: undefined },
      durationMs: 10.6,
    });

    const plan = planEvents([succeeded], new Map([[task.id, task]]), new Set(), now);

    expect(plan.results).toEqual([
      {
        taskId: task.id,
        attempt: 1,
        agentId: 'agent-a',
        output: { ok: true },
        durationMs: 11,
        createdAt: now.toISOString(),
      },
    ]);
    expect(plan.updates[0]?.finishedAt).toBe(now.toISOString());
  });

  it('yields no second result for a task that already has one', () => {
    const task: TaskView = { ...queuedTask(), status: 'dead_lettered', attempt: 1 };
    const events = [buildTaskEvent('queued', task.id, 2), buildTaskEvent('succeeded', task.id, 2)];

    const plan = planEvents(events, new Map([[task.id, task]]), new Set(), now, {
      resultTaskIds: new Set([task.id]),
    });

    expect(plan.outcomes.map((outcome) => outcome.outcome)).toEqual(['applied', 'applied']);
    expect(plan.results).toEqual([]);
  });
});
