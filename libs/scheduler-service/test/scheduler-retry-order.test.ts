import type { SerializedError } from '@contextforge/contracts';
import { waitFor } from '@contextforge/testing';
import { SchedulerHarness } from './support/scheduler-harness';

const handlerFailed: SerializedError = { code: 'HANDLER_FAILED', message: 'boom', retryable: true };

describe('Scheduler: where a retried task waits', () => {
  let harness: SchedulerHarness;

  beforeEach(async () => {
    harness = await SchedulerHarness.create();
  });

  afterEach(async () => {
    await harness.stop();
  });

  const queued = async () => (await harness.queued()) === 2;

  it('re-queues a retried task at the front of its priority (it keeps its place: FIFO by submission)', async () => {
    const agent = await harness.addAgent({ id: 'agent-a', concurrency: 1 });
    const first = await harness.submit();
    // Accepted by the agent, not only claimed: the dispatch call may still be on its way.
    await agent.until(() => agent.accepted.length === 1, 'the first dispatch');
    const second = await harness.submit();
    // A third task, which would run before the retry if retries queued at the back.
    await harness.submit();
    await waitFor(queued, { timeoutMs: 5_000, label: 'two tasks queued behind the first' });

    // The freed slot goes to the second task while the first waits out its backoff.
    await agent.fail(first.id, handlerFailed);
    await agent.until(() => agent.accepted.length === 2, 'the second dispatch');
    await waitFor(queued, { timeoutMs: 5_000, label: 'the retry back in the queue' });

    await agent.succeed(second.id);
    await agent.until(() => agent.accepted.length === 3, 'the third dispatch');
    expect(agent.accepted.map(({ task, attempt }) => [task.id, attempt])).toEqual([
      [first.id, 1],
      [second.id, 1],
      [first.id, 2],
    ]);
  });
});
