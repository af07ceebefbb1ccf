import { waitFor } from '@contextforge/testing';
import { expectEachSucceededOnce } from './support/exactly-once';
import { FAULT_ENV, SCHEDULER_LEASE_TTL_MS } from './support/fault-settings';
import { LeadershipSampler, leadershipOf } from './support/leadership-probe';
import { sleepTasks, submitTasks } from './support/task-client';
import { taskEvents } from './support/task-db';
import type { ClusterSystem } from './support/cluster-system';
import { useClusterSystem } from './support/use-cluster-system';
import { waitForTasksToSucceed, waitForSomeToSucceed } from './support/wait-for-tasks';

const TASKS = 1_000;
const AGENTS = 3;

describe('fault: two scheduler replicas, the active one is killed (SIGKILL) mid-run', () => {
  const fixture = useClusterSystem({ agents: AGENTS, schedulers: 2, env: FAULT_ENV });

  it('has one replica dispatching at a time; the standby takes over and every task succeeds once', async () => {
    const system = fixture.get();
    // Sampled from the start: at no moment may both replicas claim to lead.
    const sampler = new LeadershipSampler(system.schedulerUrls);
    try {
      await runFailover(system, sampler);
    } finally {
      await sampler.stop();
    }
    fixture.markPassed();
  });
});

async function runFailover(system: ClusterSystem, sampler: LeadershipSampler): Promise<void> {
  const { db, cluster, schedulerUrls } = system;
  let active = '';
  await waitFor(
    async () => {
      const leaders = (
        await Promise.all(
          Object.entries(schedulerUrls).map(async ([name, url]) =>
            (await leadershipOf(url))?.leading ? [name] : [],
          ),
        )
      ).flat();
      active = leaders.length === 1 ? (leaders[0] ?? '') : '';
      return active !== '';
    },
    { timeoutMs: 30_000, intervalMs: 100, label: 'one scheduler replica to lead' },
  );
  const standby = Object.keys(schedulerUrls).find((name) => name !== active) ?? '';

  const started = performance.now();
  const healthyFrom = Date.now();
  // Half now; the other half right after the kill, so that only the new leader can run it.
  const submissions = sleepTasks(TASKS, 20, 50);
  const firstHalf = await submitTasks(system.gateway, submissions.slice(0, TASKS / 2));
  await waitForSomeToSucceed(system, firstHalf, TASKS / 10, `${TASKS / 10} tasks to succeed before the kill`);

  const killedAt = Date.now();
  expect(cluster.kill(active, 'SIGKILL')).toBe(true);
  await cluster.exited(active);
  const secondHalf = await submitTasks(system.gateway, submissions.slice(TASKS / 2));
  const taskIds = [...firstHalf, ...secondHalf];
  // Takeover needs the lease to expire on the database's clock (TTL 2 s, renewed every ttl/4).
  await waitFor(async () => (await leadershipOf(schedulerUrls[standby] ?? ''))?.leading === true, {
    timeoutMs: 60_000,
    intervalMs: 100,
    label: `${standby} to take over`,
  });
  const tookOverMs = Date.now() - killedAt;

  await waitForTasksToSucceed(system, taskIds, { timeoutMs: 120_000 });
  const elapsedMs = performance.now() - started;

  // While both were healthy, only the one elected first led, at every sample.
  const healthy = sampler.samples.filter((sample) => sample.at >= healthyFrom && sample.at < killedAt);
  expect(healthy.length).toBeGreaterThan(10);
  expect(sampler.leadersBetween(healthyFrom, killedAt)).toEqual([active]);
  expect(sampler.samples.filter((sample) => sample.leaders.length > 1)).toEqual([]);
  // The lease was renewed at most ttl/4 before the kill: nobody may lead again before it expired.
  expect(tookOverMs).toBeGreaterThanOrEqual((SCHEDULER_LEASE_TTL_MS * 3) / 4);

  // No (task, attempt) dispatched twice, one applied success and one result per task.
  const { retried, ignoredEvents } = await expectEachSucceededOnce(db, taskIds);
  const dispatches = (await taskEvents(db, taskIds, ['dispatched'])).map((event) => event.atMs);
  const before = dispatches.filter((at) => at < killedAt).length;
  const after = dispatches.filter((at) => at >= killedAt);
  expect(after.length).toBeGreaterThanOrEqual(secondHalf.length);

  process.stdout.write(
    `fault-scheduler-failover: ${TASKS} sleep tasks (20-50 ms) on ${AGENTS} agents, 2 scheduler replicas; ` +
      `${active} killed after ${before} dispatches; ${standby} leading ${tookOverMs} ms later ` +
      `(lease TTL ${SCHEDULER_LEASE_TTL_MS} ms) and dispatching ${Math.min(...after) - killedAt} ms later; ` +
      `${after.length} dispatches after the kill; ${healthy.length} leadership samples before it, each with one leader; ` +
      `${retried} tasks with attempt > 1, ${ignoredEvents} ignored events; all succeeded once after ${Math.round(elapsedMs)} ms\n`,
  );
  expect(cluster.crashed()).toEqual([]);
}
