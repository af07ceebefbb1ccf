import { waitFor } from '@contextforge/testing';
import { longestDispatchGap } from './support/dispatch-gaps';
import { expectEachSucceededOnce } from './support/exactly-once';
import { AGENT_TTL_MS, FAULT_ENV } from './support/fault-settings';
import { dispatchCounts, replicaStatus } from './support/replica-probe';
import { sleepTasks, submitInBackground } from './support/task-client';
import { taskEvents } from './support/task-db';
import { useClusterSystem } from './support/use-cluster-system';
import { failOnCrash, waitForTasksToSucceed } from './support/wait-for-tasks';

const TASKS = 2_000;
const AGENTS = 3;
const CHUNK = 200;
const VICTIM = 'scheduler-1';
const SURVIVOR = 'scheduler-2';

describe('fault: two scheduler replicas dispatch at once; one is killed (SIGKILL) mid-run', () => {
  const fixture = useClusterSystem({ agents: AGENTS, schedulers: 2, env: FAULT_ENV });

  it('keeps dispatching on the survivor with no gap longer than the agent TTL; every task succeeds once', async () => {
    const system = fixture.get();
    const { db, cluster, schedulerUrls } = system;
    const started = performance.now();
    // Submitted in chunks in the background, so the kill lands while work is still arriving.
    const { taskIds, done: submitting } = submitInBackground(
      system.gateway,
      sleepTasks(TASKS, 20, 50),
      CHUNK,
    );

    // Mid-run: both replicas have had attempts accepted by agents, and a quarter of the tasks
    // succeeded.
    let before: Record<string, number> = {};
    await waitFor(
      async () => {
        await failOnCrash(system);
        before = await dispatchCounts(schedulerUrls);
        if (!Object.values(before).every((count) => count > 0)) return false;
        const { rows } = await db.query<{ count: string }>(
          `SELECT count(*) FROM tasks WHERE id = ANY($1) AND status = 'succeeded'`,
          [taskIds],
        );
        return Number(rows[0]?.count) >= TASKS / 4;
      },
      { timeoutMs: 90_000, intervalMs: 100, label: 'both replicas dispatching and a quarter done' },
    ).catch((error: unknown) => {
      throw new Error(`${String(error)}; dispatched per replica ${JSON.stringify(before)}`);
    });
    const survivorBefore = (await replicaStatus(schedulerUrls[SURVIVOR] ?? '')).dispatched;

    const killedAt = Date.now();
    expect(cluster.kill(VICTIM, 'SIGKILL')).toBe(true);
    await expect(cluster.exited(VICTIM)).resolves.toEqual({ code: null, signal: 'SIGKILL' });
    await submitting;
    expect(taskIds).toHaveLength(TASKS);

    await waitForTasksToSucceed(system, taskIds, { timeoutMs: 120_000 });
    const elapsedMs = performance.now() - started;
    const { retried, ignoredEvents } = await expectEachSucceededOnce(db, taskIds);
    const survivorAfter = (await replicaStatus(schedulerUrls[SURVIVOR] ?? '')).dispatched;
    expect(survivorAfter).toBeGreaterThan(survivorBefore);

    const events = await taskEvents(db, taskIds, ['queued', 'dispatched', 'failed']);
    const dispatches = events.filter((event) => event.type === 'dispatched' && event.outcome === 'applied');
    // Nothing claims after SIGKILL but the survivor: the first claim dated after the kill is its.
    const afterKill = dispatches.filter((event) => event.atMs >= killedAt).map((event) => event.atMs);
    expect(afterKill.length).toBeGreaterThan(0);
    const failoverMs = Math.min(...afterKill) - killedAt;
    const gap = longestDispatchGap(events);
    if (!gap || gap.ms >= AGENT_TTL_MS) {
      const at = (ms: number) =>
        `${new Date(ms).toISOString()} (kill ${ms >= killedAt ? '+' : ''}${ms - killedAt} ms)`;
      throw new Error(
        gap
          ? `dispatching stopped for ${gap.ms} ms with tasks queued: from ${at(gap.fromMs)} to ${at(gap.toMs)}`
          : 'fewer than two dispatches',
      );
    }

    // The victim's claims that no agent had accepted expire at their dispatch lease and run again;
    // that failure does not count against the task.
    const expired = events.filter(
      (event) => event.type === 'failed' && event.errorCode === 'DISPATCH_EXPIRED',
    );
    const otherFailures = events.filter(
      (event) => event.type === 'failed' && event.errorCode !== 'DISPATCH_EXPIRED',
    );
    expect(otherFailures.map((event) => `${event.taskId}#${event.attempt} ${event.errorCode}`)).toEqual([]);
    const counted = await db.query<{ count: string }>(
      'SELECT count(*) FROM tasks WHERE id = ANY($1) AND failures > 0',
      [taskIds],
    );
    expect(counted.rows[0]?.count).toBe('0');

    process.stdout.write(
      `fault-scheduler-replicas: ${TASKS} sleep tasks (20-50 ms) on ${AGENTS} agents, 2 scheduler replicas; ` +
        `dispatched before the kill ${JSON.stringify(before)}; ${VICTIM} killed, ${SURVIVOR} dispatched ` +
        `${failoverMs} ms later (fail-over), ${survivorAfter - survivorBefore} more by it; longest dispatch gap ` +
        `with tasks queued ${gap?.ms} ms (TTL ${AGENT_TTL_MS} ms); ${expired.length} claims expired ` +
        `(DISPATCH_EXPIRED); ${retried} tasks with attempt > 1, ${ignoredEvents} ignored events; all succeeded ` +
        `once after ${Math.round(elapsedMs)} ms\n`,
    );
    expect(cluster.crashed()).toEqual([]);
    fixture.markPassed();
  }, 300_000);
});
