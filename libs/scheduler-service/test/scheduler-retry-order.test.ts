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

    await agent.fail(first.id, handlerFailed);
    const retry = await harness.event(first.id, 'queued', (event) => event.attempt === 1);
    const due = Date.parse(retry.notBefore ?? retry.at);
    // The freed slot goes to the second task while the first waits out its backoff, or to the first
    // when that (jittered: 1 to 5 ms) was over by the claim: never to the third.
    await agent.until(() => agent.accepted.length === 2, 'the second dispatch');
    const secondRanFirst = agent.accepted[1]?.task.id === second.id;
    if (secondRanFirst) {
      // The retry is due before the second frees the slot: it competes with the third for it.
      await waitFor(() => Date.now() >= due, { timeoutMs: 5_000, label: 'the retry to be due' });
      await agent.succeed(second.id);
      await agent.until(() => agent.accepted.length === 3, 'the third dispatch');
    }
    expect(agent.accepted.map(({ task, attempt }) => [task.id, attempt])).toEqual(
      secondRanFirst
        ? [
            [first.id, 1],
            [second.id, 1],
            [first.id, 2],
          ]
        : [
            [first.id, 1],
            [first.id, 2],
          ],
    );
    // Either way, not before its backoff was over.
    const again = await harness.event(first.id, 'dispatched', (event) => event.attempt === 2);
    expect(Date.parse(again.at)).toBeGreaterThanOrEqual(due);
  });
});
