import { setTimeout as delay } from 'node:timers/promises';
import { waitFor } from '@contextforge/testing';
import { longestDispatchGap } from './support/dispatch-gaps';
import { expectEachSucceededOnce } from './support/exactly-once';
import { FAULT_ENV } from './support/fault-settings';
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
/**
 * What a replica owns and for how long: a claimed attempt its agent has not accepted expires at
 * the dispatch lease (coordinator.load_balancing.timeout + the 2 s grace); the job coordinator's
 * lease is shorter (FAULT_ENV: 2 s). The pause is twice the longer of the two.
 */
const DISPATCH_TIMEOUT_MS = 3_000;
const OWNERSHIP_TTL_MS = DISPATCH_TIMEOUT_MS + 2_000;
const PAUSE_MS = 2 * OWNERSHIP_TTL_MS;

describe('fault: a scheduler replica is paused (SIGSTOP) under load for twice its ownership TTL', () => {
  const fixture = useClusterSystem({
    agents: AGENTS,
    schedulers: 2,
    env: { ...FAULT_ENV, CONTEXTFORGE__COORDINATOR__LOAD_BALANCING__TIMEOUT: `${DISPATCH_TIMEOUT_MS}ms` },
  });

  it('accepts nothing the paused replica set going before the pause; every task succeeds once', async () => {
    const system = fixture.get();
    const { db, cluster, schedulerUrls } = system;
    const { taskIds, done: submitting } = submitInBackground(
      system.gateway,
      sleepTasks(TASKS, 100, 200),
      CHUNK,
    );

    let before: Record<string, number> = {};
    await waitFor(
      async () => {
        await failOnCrash(system);
        before = await dispatchCounts(schedulerUrls);
        return Object.values(before).every((count) => count > 0) && taskIds.length >= TASKS / 4;
      },
      { timeoutMs: 90_000, intervalMs: 50, label: 'both replicas dispatching' },
    );
    // Best effort, to catch the replica between a claim and its dispatch calls (then those
    // attempts expire and their late dispatch is what the store must refuse): stop it just
    // after the store shows claims of its that no agent has confirmed yet.
    await waitFor(
      async () => {
        const { rows } = await db.query<{ count: string }>(
          `SELECT count(*) FROM tasks WHERE claimed_by LIKE $1 AND status = 'dispatched'
            AND lease_expires_at IS NOT NULL`,
          // A replica's id names its process: scheduler-<host>-<pid>-<random>.
          [`scheduler-%-${cluster.pid(VICTIM)}-%`],
        );
        return Number(rows[0]?.count) > 0;
      },
      { timeoutMs: 10_000, intervalMs: 1, label: `unconfirmed claims of ${VICTIM}` },
    ).catch(() => undefined);

    const victimAtPause = (await replicaStatus(schedulerUrls[VICTIM] ?? '')).dispatched;
    expect(cluster.kill(VICTIM, 'SIGSTOP')).toBe(true);
    const survivorAtPause = (await replicaStatus(schedulerUrls[SURVIVOR] ?? '')).dispatched;
    // The fault is the length of the pause itself: nothing to await but time.
    await delay(PAUSE_MS);
    const survivorAtResume = (await replicaStatus(schedulerUrls[SURVIVOR] ?? '')).dispatched;
    expect(cluster.kill(VICTIM, 'SIGCONT')).toBe(true);
    await submitting;
    expect(taskIds).toHaveLength(TASKS);

    // The paused replica works again after the resume (its transaction was cut off by the server
    // and its pool reconnects): it dispatches what is still queued alongside the survivor.
    await waitFor(
      async () => {
        await failOnCrash(system);
        return (await replicaStatus(schedulerUrls[VICTIM] ?? '')).dispatched > victimAtPause;
      },
      { timeoutMs: 60_000, intervalMs: 200, label: `${VICTIM} dispatching again after SIGCONT` },
    );
    await waitForTasksToSucceed(system, taskIds, { timeoutMs: 180_000 });
    const { retried, ignoredEvents } = await expectEachSucceededOnce(db, taskIds);
    // The survivor went on alone during the pause.
    expect(survivorAtResume).toBeGreaterThan(survivorAtPause);

    // Fencing: an attempt that expired unaccepted (the paused replica's claims) changed nothing
    // after the expiry but its retry decision, whatever its agent was sent after the resume.
    const events = await taskEvents(db, taskIds);
    const expired = new Set(
      events
        .filter((event) => event.type === 'failed' && event.errorCode === 'DISPATCH_EXPIRED')
        .map((event) => `${event.taskId}#${event.attempt}`),
    );
    const leaked = events.filter(
      (event) =>
        expired.has(`${event.taskId}#${event.attempt}`) &&
        event.outcome === 'applied' &&
        !['dispatched', 'queued', 'dead_lettered'].includes(event.type) &&
        !(event.type === 'failed' && event.errorCode === 'DISPATCH_EXPIRED'),
    );
    expect(leaked.map((event) => `${event.taskId}#${event.attempt} ${event.type}`)).toEqual([]);
    const refused = events.filter(
      (event) => event.outcome === 'ignored' && expired.has(`${event.taskId}#${event.attempt}`),
    );
    const otherFailures = events.filter(
      (event) => event.type === 'failed' && event.errorCode !== 'DISPATCH_EXPIRED',
    );
    expect(otherFailures.map((event) => `${event.taskId}#${event.attempt} ${event.errorCode}`)).toEqual([]);
    const gap = longestDispatchGap(events);

    process.stdout.write(
      `fault-scheduler-pause: ${TASKS} sleep tasks on ${AGENTS} agents, 2 replicas; ${VICTIM} stopped ` +
        `${PAUSE_MS} ms (ownership TTL ${OWNERSHIP_TTL_MS} ms); ${SURVIVOR} dispatched ` +
        `${survivorAtResume - survivorAtPause} meanwhile; ${expired.size} attempts expired unaccepted, ` +
        `${refused.length} of their later events refused; longest dispatch gap with tasks queued ` +
        `${gap?.ms} ms; ${retried} tasks with attempt > 1, ${ignoredEvents} ignored events; all succeeded once\n`,
    );
    expect(cluster.crashed()).toEqual([]);
    fixture.markPassed();
  }, 300_000);
});
