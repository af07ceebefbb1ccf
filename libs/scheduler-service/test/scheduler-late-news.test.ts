import { buildTask } from '@contextforge/testing';
import type { Task } from '@contextforge/contracts';
import { SchedulerHarness } from './support/scheduler-harness';
import type { Reply, TestAgent } from './support/test-agent';

/**
 * The agents in these tests have one slot, so a task submitted now runs only after everything
 * before it finished. Resolves with that task once it succeeded.
 */
async function settle(harness: SchedulerHarness): Promise<Task> {
  const marker = await harness.submit();
  await harness.event(marker.id, 'succeeded');
  return marker;
}

describe('Scheduler: late and repeated news', () => {
  let harness: SchedulerHarness;
  let agent: TestAgent;

  beforeEach(async () => {
    harness = await SchedulerHarness.create();
    agent = await harness.addAgent({ id: 'agent-a', reply: 'succeed', concurrency: 1 });
  });

  afterEach(async () => {
    await harness.stop();
  });

  it('does not run a task again when its changes are delivered again', async () => {
    const task = await harness.submit();
    await harness.event(task.id, 'succeeded');
    const first = await settle(harness);

    // At-least-once delivery: every change of the task again (a redelivery after a rebalance).
    const again = harness.events.received.filter(
      (message) => (message.value as { task?: { id?: string } }).task?.id === task.id,
    );
    await harness.bus.publish(
      harness.topics.taskChanges,
      again.map((message) => ({ key: task.id, value: message.value })),
    );
    const second = await settle(harness);

    expect(agent.acceptedTaskIds()).toEqual([task.id, first.id, second.id]);
    const dispatches = harness.eventsOf(task.id, 'dispatched').map((event) => event.eventId);
    expect(new Set(dispatches).size).toBe(1);
  });

  it('dispatches a re-driven task in the trace stored with the task', async () => {
    const stored = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    agent.reply = (assignment): Reply =>
      assignment.attempt === 1
        ? { fail: { code: 'HANDLER_FAILED', message: 'no', retryable: false } }
        : 'succeed';
    const task = await harness.submit({ traceparent: stored });
    await harness.event(task.id, 'dead_lettered');
    await harness.redrive(task.id);
    await harness.event(task.id, 'succeeded');

    // Tracing is off in this process, so the dispatch passes the stored context on unchanged.
    const traces = agent.accepted
      .filter((assignment) => assignment.task.id === task.id)
      .map((assignment) => [assignment.attempt, assignment.traceparent]);
    expect(traces).toEqual([
      [1, stored],
      [3, stored],
    ]);
  });

  it('runs a re-drive once, even when the re-drive is applied twice', async () => {
    const task = buildTask();
    await harness.store.createTask(task);
    await harness.event(task.id, 'succeeded');
    await settle(harness);

    // A repeated re-drive of a finished task is refused by the state machine (succeeded is final).
    await harness.redrive(task.id);
    await settle(harness);
    expect(agent.acceptedTaskIds().filter((id) => id === task.id)).toHaveLength(1);
  });
});
