import type { Task, TaskView } from '@contextforge/contracts';
import { buildTask } from '@contextforge/testing';
import { SchedulerHarness } from './support/scheduler-harness';
import type { TestAgent } from './support/test-agent';

/** The result-store's view of `task`, as a lagging store may still show it. */
function viewOf(task: Task, status: TaskView['status'], attempt: number, agentId?: string): TaskView {
  return {
    ...task,
    status,
    attempt,
    updatedAt: task.createdAt,
    eventSeq: attempt + 1,
    ...(agentId ? { agentId } : {}),
  };
}

/**
 * The agents in these tests have one slot, so a task submitted now runs only after the scheduler
 * has finished everything before it (it frees the slot when it handles the outcome, which the
 * test's own observer may see earlier). Resolves with that task once it succeeded.
 */
async function settle(harness: SchedulerHarness): Promise<Task> {
  const marker = await harness.submit();
  await harness.event(marker.id, 'succeeded');
  return marker;
}

describe('Scheduler: late news of tasks it already finished', () => {
  let harness: SchedulerHarness;
  let agent: TestAgent;

  beforeEach(async () => {
    harness = await SchedulerHarness.create();
    agent = await harness.addAgent({ id: 'agent-a', reply: 'succeed', concurrency: 1 });
  });

  afterEach(async () => {
    await harness.stop();
  });

  it('does not run a task again when its tasks.submitted message is delivered again', async () => {
    const task = await harness.submit();
    await harness.event(task.id, 'succeeded');
    const first = await settle(harness);

    // At-least-once delivery: the same announcement again (a redelivery after a rebalance).
    await harness.bus.publish(harness.topics.tasksSubmitted, [{ key: task.id, value: { task } }]);
    const second = await settle(harness);

    expect(agent.acceptedTaskIds()).toEqual([task.id, first.id, second.id]);
    expect(harness.eventsOf(task.id, 'dispatched')).toHaveLength(1);
  });

  it('ignores adopting a task it finished when the result-store view still shows it open', async () => {
    const task = await harness.submit();
    await harness.event(task.id, 'succeeded');
    const first = await settle(harness);
    const [succeeded] = harness.eventsOf(task.id, 'succeeded');

    await harness.scheduler.adopt(viewOf(task, 'queued', 0));
    // Adopted as running, it would also hold the only slot and the next marker would never run.
    await harness.scheduler.adopt(viewOf(task, 'running', succeeded?.attempt ?? 1, 'agent-a'));
    const second = await settle(harness);

    expect(agent.acceptedTaskIds()).toEqual([task.id, first.id, second.id]);
  });

  it('dispatches an adopted task and a re-driven one in the trace stored with the task', async () => {
    const stored = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    const adopted = buildTask({ traceparent: stored });
    await harness.scheduler.adopt(viewOf(adopted, 'queued', 0));
    await harness.event(adopted.id, 'succeeded');

    const redriven = buildTask({ traceparent: stored });
    await harness.control({ action: 'redrive', task: redriven, attempt: 1 });
    await harness.event(redriven.id, 'succeeded');

    // Tracing is off in this process, so the dispatch passes the stored context on unchanged.
    const traces = agent.accepted
      .filter((assignment) => [adopted.id, redriven.id].includes(assignment.task.id))
      .map((assignment) => assignment.traceparent);
    expect(traces).toEqual([stored, stored]);
  });

  it('still runs a re-drive of a finished task, once, even if the control message comes twice', async () => {
    const task = await harness.submit();
    await harness.event(task.id, 'succeeded');
    await settle(harness);
    const [succeeded] = harness.eventsOf(task.id, 'succeeded');

    const redrive = { action: 'redrive' as const, task, attempt: (succeeded?.attempt ?? 1) + 1 };
    await harness.control(redrive);
    await settle(harness);
    await harness.control(redrive);
    await settle(harness);

    expect(agent.acceptedTaskIds().filter((id) => id === task.id)).toHaveLength(2);
  });
});
