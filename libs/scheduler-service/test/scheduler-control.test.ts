import { DEAD_LETTER_HEADERS, deadLetterTopic } from '@contextforge/contracts';
import { MessageRecorder, buildTaskEvent, deferred, withTimeout } from '@contextforge/testing';
import { SchedulerHarness } from './support/scheduler-harness';

describe('Scheduler control and bad input', () => {
  let harness: SchedulerHarness;

  beforeEach(async () => {
    harness = await SchedulerHarness.create();
  });

  afterEach(async () => {
    await harness.stop();
  });

  it('cancels a queued task: publishes cancelled and never dispatches it', async () => {
    const doomed = await harness.submit();
    await harness.waiting(doomed.id);

    await harness.control({ action: 'cancel', taskId: doomed.id, reason: 'client gave up' });
    const cancelled = await harness.event(doomed.id, 'cancelled');
    expect(cancelled).toMatchObject({ attempt: 0, reason: 'client gave up' });

    // Submitted after the cancelled one and of the same priority: it would be dispatched second.
    const agent = await harness.addAgent({ id: 'agent-a', reply: 'succeed' });
    const later = await harness.submit();
    await harness.event(later.id, 'succeeded');

    expect(agent.acceptedTaskIds()).toEqual([later.id]);
    expect(harness.eventsOf(doomed.id, 'dispatched')).toEqual([]);
  });

  it('cancels a running task at its agent and frees the slot', async () => {
    const agent = await harness.addAgent({ id: 'agent-a', concurrency: 1 });
    const task = await harness.submit();
    await harness.event(task.id, 'dispatched');

    await harness.control({ action: 'cancel', taskId: task.id, reason: 'not needed' });

    await agent.until(() => agent.cancels.length === 1, 'the cancel request');
    expect(agent.cancels).toEqual([{ taskId: task.id, attempt: 1, reason: 'not needed', wasRunning: true }]);
    await expect(harness.event(task.id, 'cancelled')).resolves.toMatchObject({ attempt: 1 });
    const next = await harness.submit();
    await expect(harness.event(next.id, 'dispatched')).resolves.toMatchObject({ agentId: 'agent-a' });
  });

  it('cancels a task whose dispatch is still in progress, after the dispatched event it announced first', async () => {
    const reached = deferred();
    const gate = deferred();
    const agent = await harness.addAgent({
      id: 'slow-to-answer',
      admit: () => {
        reached.resolve();
        return gate.promise;
      },
    });
    const task = await harness.submit();
    // The scheduler is now waiting for the agent to answer the dispatch.
    await withTimeout(reached.promise, 5_000, 'the dispatch');

    await harness.control({ action: 'cancel', taskId: task.id, reason: 'changed my mind' });
    await harness.event(task.id, 'cancelled');
    gate.resolve();

    // The agent accepted after all: the scheduler must take the attempt back rather than let it run.
    await agent.until(() => agent.cancels.some((request) => request.wasRunning), 'the late cancel');
    expect(agent.running.size).toBe(0);
    // Same key, so it arrives after anything the scheduler published for the task before it.
    const marker = buildTaskEvent('progress', task.id, 1, { agentId: 'marker' });
    await harness.bus.publish(harness.topics.taskEvents, [{ key: task.id, value: marker }]);
    await harness.event(task.id, 'progress', (event) => event.eventId === marker.eventId);
    // `dispatched` is published before the agent is called, so it precedes everything else (after
    // the cancellation come the agent's own started/cancelled of the attempt it was told to drop).
    const types = harness.eventsOf(task.id).map((event) => event.type);
    expect(types.slice(0, 2)).toEqual(['dispatched', 'cancelled']);
    expect(types.filter((type) => type === 'dispatched')).toHaveLength(1);
    expect(harness.scheduler.inFlightByAgent()).toEqual({ 'slow-to-answer': 0 });
  });

  it('dead-letters an invalid tasks.submitted message and goes on with the next ones', async () => {
    const dlq = new MessageRecorder();
    const subscription = await harness.bus.subscribe({
      topic: deadLetterTopic(harness.topics.tasksSubmitted),
      group: 'test-dlq',
      handler: dlq.handler,
    });
    try {
      await harness.addAgent({ id: 'agent-a', reply: 'succeed' });
      const before = await harness.submit();
      const bogus = { task: { id: 'not-a-uuid', type: 'analyze.file' } };
      await harness.bus.publish(harness.topics.tasksSubmitted, [{ key: 'bogus', value: bogus }]);
      const after = await harness.submit();

      await dlq.untilCount(1, 5_000, 'the dead-lettered message');
      const [dead] = dlq.received;
      expect(dead?.value).toEqual(bogus);
      expect(dead?.headers[DEAD_LETTER_HEADERS.errorCode]).toBe('INVALID_MESSAGE');
      expect(dead?.headers[DEAD_LETTER_HEADERS.originalTopic]).toBe(harness.topics.tasksSubmitted);
      expect(dead?.headers[DEAD_LETTER_HEADERS.errorMessage]).toContain('task.id');
      await harness.event(before.id, 'succeeded');
      await harness.event(after.id, 'succeeded');
    } finally {
      await subscription.close();
    }
  });
});
