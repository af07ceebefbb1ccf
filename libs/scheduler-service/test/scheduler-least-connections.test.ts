import { waitFor } from '@contextforge/testing';
import type { StrategyName } from '../src/strategies';
import { SchedulerHarness } from './support/scheduler-harness';

const TASKS = 40;

/**
 * Uneven task lengths: `slow` never finishes what it accepts, `fast` finishes at once. Tasks come
 * one at a time, each after the scheduler has seen the previous outcome.
 */
async function share(strategy: StrategyName): Promise<{ slow: number; fast: number }> {
  const harness = await SchedulerHarness.create({ strategy });
  try {
    const slow = await harness.addAgent({ id: 'slow', concurrency: TASKS, reply: 'hold' });
    const fast = await harness.addAgent({ id: 'fast', concurrency: TASKS, reply: 'succeed' });
    await waitFor(() => harness.scheduler.knownAgents().length === 2, {
      label: 'both agents known',
    });
    for (let index = 0; index < TASKS; index += 1) {
      const task = await harness.submit();
      const dispatched = await harness.event(task.id, 'dispatched');
      // The claim commits (and announces) before the dispatch call reaches the agent: the last
      // task's call would otherwise still be on its way when the shares are counted.
      const agent = dispatched.agentId === 'fast' ? fast : slow;
      await agent.until(() => agent.acceptedTaskIds().includes(task.id), `the dispatch of task ${index}`);
      if (dispatched.agentId === 'fast') {
        await waitFor(async () => ((await harness.inFlight())['fast'] ?? 0) === 0, {
          label: 'fast to be free again',
        });
      }
    }
    return { slow: slow.accepted.length, fast: fast.accepted.length };
  } finally {
    await harness.stop();
  }
}

describe('Scheduler with the least-connections strategy under uneven task lengths', () => {
  it('sends new work to the agent with the fewest tasks in flight, unlike round-robin', async () => {
    const leastConnections = await share('least_connections');
    const roundRobin = await share('round_robin');
    // Only the first tie can go to `slow`; after that it always has more in flight than `fast`.
    expect(leastConnections.slow).toBeLessThanOrEqual(1);
    expect(leastConnections.fast).toBeGreaterThanOrEqual(TASKS - 1);
    expect(roundRobin).toEqual({ slow: TASKS / 2, fast: TASKS / 2 });
  });
});
