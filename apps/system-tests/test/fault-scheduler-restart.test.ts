import { expectEachSucceededOnce } from './support/exactly-once';
import { FAULT_ENV } from './support/fault-settings';
import { sleepTasks, submitTasks } from './support/task-client';
import { statusCounts, taskEvents } from './support/task-db';
import { useClusterSystem } from './support/use-cluster-system';
import { waitForTasksToSucceed, waitForSomeToSucceed } from './support/wait-for-tasks';

const TASKS = 1_000;
const AGENTS = 3;

describe('fault: the scheduler is restarted in the middle of 1,000 tasks', () => {
  const fixture = useClusterSystem({ agents: AGENTS, env: FAULT_ENV });

  it('loses no task and runs every one to success exactly once', async () => {
    const system = fixture.get();
    const { db, cluster } = system;
    const started = performance.now();
    // Half now; the other half while the scheduler is down, so that it can only run after the restart.
    const submissions = sleepTasks(TASKS, 20, 50);
    const firstHalf = await submitTasks(system.gateway, submissions.slice(0, TASKS / 2));
    await waitForSomeToSucceed(
      system,
      firstHalf,
      TASKS / 10,
      `${TASKS / 10} tasks to succeed before the restart`,
    );
    const before = await statusCounts(db, firstHalf);

    // SIGTERM (a clean stop that releases the lease), then a new process that rebuilds from the
    // result-store and continues from the bus's committed offsets.
    await expect(cluster.stop('scheduler-1')).resolves.toEqual({ code: 0, signal: null });
    const stoppedAt = Date.now();
    const secondHalf = await submitTasks(system.gateway, submissions.slice(TASKS / 2));
    await cluster.restart('scheduler-1');
    const taskIds = [...firstHalf, ...secondHalf];

    await waitForTasksToSucceed(system, taskIds, { timeoutMs: 120_000 });
    const elapsedMs = performance.now() - started;
    const { retried, ignoredEvents } = await expectEachSucceededOnce(db, taskIds);

    // The new process did the rest of the work (dispatches dated after the old one had exited).
    const dispatches = (await taskEvents(db, taskIds, ['dispatched'])).map((event) => event.atMs);
    const after = dispatches.filter((at) => at > stoppedAt);
    expect(after.length).toBeGreaterThanOrEqual(secondHalf.length);
    const resumedAfterMs = Math.min(...after) - stoppedAt;

    process.stdout.write(
      `fault-scheduler-restart: ${TASKS} sleep tasks (20-50 ms) on ${AGENTS} agents; restarted with ` +
        `${JSON.stringify(Object.fromEntries(before))} of the first ${firstHalf.length} in the store, the other ` +
        `${secondHalf.length} submitted while it was down; the new one dispatched ` +
        `${resumedAfterMs} ms after the old one exited, ${after.length} dispatches in all; ${retried} tasks with ` +
        `attempt > 1, ${ignoredEvents} ignored events; all succeeded once after ${Math.round(elapsedMs)} ms\n`,
    );
    expect(cluster.crashed()).toEqual([]);
    fixture.markPassed();
  });
});
