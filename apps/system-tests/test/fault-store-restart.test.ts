import type { Pool } from 'pg';
import { waitFor } from '@contextforge/testing';
import { expectEachSucceededOnce } from './support/exactly-once';
import { FAULT_ENV } from './support/fault-settings';
import { startPrivatePostgres, type PrivatePostgres } from './support/private-postgres';
import { sleepTasks, submitTasks } from './support/task-client';
import { useClusterSystem } from './support/use-cluster-system';
import { waitForSomeToSucceed, waitForTasksToSucceed } from './support/wait-for-tasks';

const TASKS = 1_500;
const ping = (db: Pool) =>
  db.query('SELECT 1').then(
    () => true,
    () => false,
  );
const AGENTS = 3;
const CHUNK = 300;

describe('fault: the result-store is killed (SIGKILL) and PostgreSQL restarts, mid-run', () => {
  // A server of this file's own: restarting the machine's would cut every other suite's connections.
  let postgres: PrivatePostgres | undefined;
  beforeAll(async () => {
    postgres = await startPrivatePostgres();
  }, 120_000);
  afterAll(() => postgres?.stop());
  const fixture = useClusterSystem(() => ({
    agents: AGENTS,
    schedulers: 2,
    env: FAULT_ENV,
    postgresUrl: postgres?.url ?? '',
  }));

  it('loses nothing: the services reconnect by themselves and every task succeeds once', async () => {
    const system = fixture.get();
    const { cluster, db } = system;
    const taskIds: string[] = [];
    const submissions = sleepTasks(TASKS, 20, 50);
    for (let from = 0; from < TASKS; from += CHUNK) {
      taskIds.push(...(await submitTasks(system.gateway, submissions.slice(from, from + CHUNK))));
    }

    await waitForSomeToSucceed(system, taskIds, TASKS / 5, 'a fifth done before the kill');
    expect(cluster.kill('result-store', 'SIGKILL')).toBe(true);
    await expect(cluster.exited('result-store')).resolves.toEqual({ code: null, signal: 'SIGKILL' });
    await cluster.restart('result-store');

    await waitForSomeToSucceed(system, taskIds, TASKS / 2, 'half done before the database restart');
    // Every connection of every service is cut; nobody restarts a service.
    postgres?.restart();
    // The test's own pool lost its connections too: it reconnects on its next queries.
    await waitFor(async () => (await Promise.all([ping(db), ping(db)])).every(Boolean), {
      timeoutMs: 30_000,
      intervalMs: 100,
      label: "the test's connections to PostgreSQL back",
    });

    await waitForTasksToSucceed(system, taskIds, { timeoutMs: 240_000 });
    const { retried, ignoredEvents } = await expectEachSucceededOnce(db, taskIds);
    process.stdout.write(
      `fault-store-restart: ${TASKS} sleep tasks on ${AGENTS} agents, 2 scheduler replicas; result-store ` +
        `killed at a fifth and restarted, PostgreSQL restarted at half; ${retried} tasks with attempt > 1, ` +
        `${ignoredEvents} ignored events; all succeeded once\n`,
    );
    expect(cluster.crashed()).toEqual([]);
    fixture.markPassed();
  }, 400_000);
});
