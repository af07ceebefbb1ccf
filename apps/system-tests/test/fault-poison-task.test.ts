import { waitFor } from '@contextforge/testing';
import { FAULT_ENV } from './support/fault-settings';
import { submitTasks, gatewayGet } from './support/task-client';
import { describeHistory, taskEvents, type EventRow } from './support/task-db';
import type { ClusterSystem } from './support/cluster-system';
import { useClusterSystem } from './support/use-cluster-system';
import { failOnCrash } from './support/wait-for-tasks';

const AGENTS = 2;
const MAX_ATTEMPTS = 2;

interface Kill {
  attempt: number;
  agent: string;
}

/**
 * A poison task: every agent process that starts it dies. Played by a long `sleep` task whose
 * runner the test kills with SIGKILL as soon as it started an attempt, then
 * restarts (a supervisor bringing the crashed process back under the same agent id).
 *
 * The restart waits until the scheduler has failed the attempt as AGENT_LOST (the agent's TTL ran
 * out). An agent restarted under the same id before its TTL expires re-registers as passing, and
 * nothing in discovery tells the scheduler that the process behind the id changed, so its lost
 * attempt would only be recovered by the task timeout (see the closing report: an incarnation id
 * in the agent registration would close that gap).
 */
describe('fault: a poison task that crashes every agent that runs it', () => {
  const fixture = useClusterSystem({ agents: AGENTS, env: FAULT_ENV });

  it(`is dead-lettered as AGENT_LOST after at most ${MAX_ATTEMPTS} attempts`, async () => {
    const system = fixture.get();
    const { db, cluster, gateway } = system;
    // Only a crash, never the sleep ending or the task timeout, can end an attempt here.
    const [taskId = ''] = await submitTasks(gateway, [
      { type: 'sleep', input: { ms: 600_000 }, maxAttempts: MAX_ATTEMPTS, timeoutMs: 900_000 },
    ]);
    const started = performance.now();

    const kills: Kill[] = [];
    for (;;) {
      const { next, final } = await nextAttemptOrEnd(system, taskId, kills.at(-1)?.attempt ?? 0);
      if (final || !next) break;
      kills.push(next);
      expect(cluster.kill(next.agent, 'SIGKILL')).toBe(true);
      await cluster.exited(next.agent);
      await waitFor(
        async () =>
          (await taskEvents(db, [taskId], ['failed'])).some(
            (event) => event.attempt === next.attempt && event.errorCode === 'AGENT_LOST',
          ),
        { timeoutMs: 20_000, intervalMs: 50, label: `attempt ${next.attempt} to be failed as AGENT_LOST` },
      );
      await cluster.restart(next.agent);
      // Bounded even if the product never dead-letters: the loop ends by the waits' timeouts.
      expect(kills.length).toBeLessThanOrEqual(MAX_ATTEMPTS);
    }
    const elapsedMs = performance.now() - started;

    const events = await taskEvents(db, [taskId]);
    const history = describeHistory(events, taskId);
    const dead = events.filter((event) => event.type === 'dead_lettered');
    expect({ dead: dead.map(pick), history }).toEqual({
      dead: [{ attempt: kills.at(-1)?.attempt, errorCode: 'AGENT_LOST', outcome: 'applied' }],
      history,
    });
    // One kill per attempt, each attempt dispatched once, never more than maxAttempts of them.
    expect(kills).toHaveLength(MAX_ATTEMPTS);
    // (A `dispatched` event may be recorded as ignored: the agent's `started` can arrive first.)
    const dispatched = events.filter((event) => event.type === 'dispatched');
    expect(dispatched.map((event) => event.attempt).sort()).toEqual(kills.map((kill) => kill.attempt));

    // What a client sees through the gateway.
    const response = await gatewayGet(gateway, `/tasks/${taskId}`);
    const view = (await response.json()) as {
      status?: string;
      lastError?: { code?: string; details?: unknown };
    };
    expect(response.status).toBe(200);
    expect(view.status).toBe('dead_lettered');
    expect(view.lastError).toMatchObject({ code: 'AGENT_LOST', details: { attempts: MAX_ATTEMPTS } });
    const results = await db.query('SELECT 1 FROM task_results WHERE task_id = $1', [taskId]);
    expect(results.rowCount).toBe(0);

    process.stdout.write(
      `fault-poison-task: maxAttempts ${MAX_ATTEMPTS}; killed ${kills.map((kill) => `${kill.agent} (attempt ${kill.attempt})`).join(', ')}; ` +
        `dead-lettered as ${view.lastError?.code} ${Math.round(elapsedMs)} ms after submission\n`,
    );
    expect(cluster.crashed()).toEqual([]);
    fixture.markPassed();
  });
});

/** Waits for an attempt newer than `handled` to be started by its agent, or for the task to end. */
async function nextAttemptOrEnd(
  system: ClusterSystem,
  taskId: string,
  handled: number,
): Promise<{ next?: Kill; final?: EventRow }> {
  let found: { next?: Kill; final?: EventRow } = {};
  await waitFor(
    async () => {
      await failOnCrash(system);
      const events = await taskEvents(
        system.db,
        [taskId],
        // `started`: the agent runs it. (`dispatched` is committed by the claim before the agent is
        // called; a process killed during that call hands the attempt back instead of losing it.)
        ['started', 'dead_lettered', 'succeeded'],
      );
      const final = events.find((event) => event.type === 'dead_lettered' || event.type === 'succeeded');
      const running = events.find((event) => event.attempt > handled && event.agentId !== undefined);
      if (final) found = { final };
      else if (running?.agentId) found = { next: { attempt: running.attempt, agent: running.agentId } };
      return found.final !== undefined || found.next !== undefined;
    },
    { timeoutMs: 30_000, intervalMs: 50, label: `an attempt after ${handled} to start, or the task to end` },
  );
  return found;
}

function pick(event: EventRow) {
  return { attempt: event.attempt, errorCode: event.errorCode, outcome: event.outcome };
}
