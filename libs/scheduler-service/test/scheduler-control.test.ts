import { DEAD_LETTER_HEADERS, deadLetterTopic } from '@contextforge/contracts';
import { MessageRecorder, deferred, withTimeout } from '@contextforge/testing';
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

    await harness.cancel(doomed.id, 'client gave up');
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
    // Running at the agent, not only claimed: a cancellation that arrives while the dispatch call is
    // still on its way takes the other path (the next test's).
    await agent.until(() => agent.running.has(task.id), 'the dispatch call');

    await harness.cancel(task.id, 'not needed');

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

    await harness.cancel(task.id, 'changed my mind');
    await harness.event(task.id, 'cancelled');
    gate.resolve();

    // The agent accepted after all: the scheduler must take the attempt back rather than let it run.
    await agent.until(() => agent.cancels.some((request) => request.wasRunning), 'the late cancel');
    expect(agent.running.size).toBe(0);
    // What the agent reported meanwhile has been applied (or refused) once a later change is seen.
    const marker = await harness.submit();
    await harness.cancel(marker.id);
    await harness.event(marker.id, 'cancelled');
    // The claim committed `dispatched` before the agent was called; the cancellation is final, so
    // the agent's own reports of the attempt it was told to drop change nothing.
    const types = harness.eventsOf(task.id).map((event) => event.type);
    expect(types).toEqual(['queued', 'dispatched', 'cancelled']);
    expect(await harness.inFlight()).toEqual({});
  });

  it('dead-letters an invalid tasks.changes message and goes on with the next ones', async () => {
    const dlq = new MessageRecorder();
    const subscription = await harness.bus.subscribe({
      topic: deadLetterTopic(harness.topics.taskChanges),
      group: 'test-dlq',
      handler: dlq.handler,
    });
    try {
      await harness.addAgent({ id: 'agent-a', reply: 'succeed' });
      const before = await harness.submit();
      const bogus = { seq: 1, task: { id: 'not-a-uuid', type: 'analyze.file' } };
      await harness.bus.publish(harness.topics.taskChanges, [{ key: 'bogus', value: bogus }]);
      const after = await harness.submit();

      await dlq.untilCount(1, 5_000, 'the dead-lettered message');
      const [dead] = dlq.received;
      expect(dead?.value).toEqual(bogus);
      expect(dead?.headers[DEAD_LETTER_HEADERS.errorCode]).toBe('INVALID_MESSAGE');
      expect(dead?.headers[DEAD_LETTER_HEADERS.originalTopic]).toBe(harness.topics.taskChanges);
      expect(dead?.headers[DEAD_LETTER_HEADERS.group]).toBe('scheduler');
      await harness.event(before.id, 'succeeded');
      await harness.event(after.id, 'succeeded');
    } finally {
      await subscription.close();
    }
  });
});
