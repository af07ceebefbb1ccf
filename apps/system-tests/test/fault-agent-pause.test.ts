import { waitFor } from '@contextforge/testing';
import { expectEachSucceededOnce } from './support/exactly-once';
import { AGENT_TTL_MS, FAULT_ENV } from './support/fault-settings';
import { agentStatus, sleepTasks, submitTasks } from './support/task-client';
import { describeHistory, taskEvents, type EventRow } from './support/task-db';
import { useClusterSystem } from './support/use-cluster-system';
import { waitForTasksToSucceed, waitForSomeToSucceed } from './support/wait-for-tasks';

const TASKS = 300;
const AGENTS = 3;
const VICTIM = 'agent-1';

describe('fault: an agent is paused (SIGSTOP) past its TTL, then resumed (SIGCONT)', () => {
  const fixture = useClusterSystem({ agents: AGENTS, env: FAULT_ENV });

  it('finishes its tasks elsewhere and records its late results as ignored', async () => {
    const system = fixture.get();
    const { db, cluster, gateway } = system;
    const taskIds = await submitTasks(gateway, sleepTasks(TASKS, 100, 300));
    await waitForSomeToSucceed(
      system,
      taskIds,
      TASKS / 5,
      'a fifth of the tasks to succeed before the pause',
    );

    const pausedAt = Date.now();
    expect(cluster.kill(VICTIM, 'SIGSTOP')).toBe(true);
    // Resume only once the scheduler has given up on the paused agent's attempts and handed each
    // to another agent: the registry reports it unhealthy (its TTL ran out), no open task is on
    // it any more, and every attempt failed as AGENT_LOST already has a newer one dispatched; and
    // not before a full TTL has passed since the pause.
    await waitFor(async () => (await agentStatus(gateway, VICTIM)) === 'unhealthy', {
      timeoutMs: AGENT_TTL_MS + 10_000,
      intervalMs: 100,
      label: `${VICTIM} to be reported unhealthy`,
    });
    await waitFor(
      async () => {
        if (Date.now() - pausedAt < AGENT_TTL_MS) return false;
        const stillOnVictim = await db.query<{ count: string }>(
          `SELECT count(*) FROM tasks WHERE id = ANY($1) AND agent_id = $2
              AND status IN ('dispatched', 'running', 'failed')`,
          [taskIds, VICTIM],
        );
        if (stillOnVictim.rows[0]?.count !== '0') return false;
        const events = await taskEvents(db, taskIds, ['failed', 'dispatched']);
        return lostAttempts(events).every((lost) => redispatched(events, lost));
      },
      { timeoutMs: 30_000, intervalMs: 100, label: `the attempts on ${VICTIM} to be re-dispatched` },
    );
    const resumedAt = Date.now();
    expect(cluster.kill(VICTIM, 'SIGCONT')).toBe(true);

    await waitForTasksToSucceed(system, taskIds, { timeoutMs: 90_000 });
    let events: EventRow[] = [];
    let lost: EventRow[] = [];
    // Every cut-off attempt that reached the agent's handler (it reported `started`, before the
    // pause or after the resume) finishes there, late. An attempt whose dispatch request was cut
    // off by the pause never reached the handler and has no outcome to wait for.
    const ran = (attempt: EventRow) =>
      events.some(
        (event) =>
          event.taskId === attempt.taskId &&
          event.attempt === attempt.attempt &&
          event.type === 'started' &&
          event.agentId === VICTIM,
      );
    await waitFor(
      async () => {
        events = await taskEvents(db, taskIds);
        lost = lostAttempts(events);
        // The victim publishes the `started` of attempts it ran before the pause only once resumed
        // (they may have been waiting in its publish buffer), so none may be visible yet: wait for
        // at least one instead of passing on an empty list.
        const ranThere = lost.filter(ran);
        return (
          ranThere.length > 0 &&
          ranThere.every((attempt) => lateOutcome(events, attempt, resumedAt) !== undefined)
        );
      },
      { timeoutMs: 20_000, intervalMs: 200, label: `the late outcomes from ${VICTIM}` },
    ).catch((error: unknown) => {
      const missing = lost
        .filter(ran)
        .filter((attempt) => lateOutcome(events, attempt, resumedAt) === undefined);
      const histories = missing.map((attempt) => describeHistory(events, attempt.taskId));
      throw new Error(
        `${String(error)}; ${missing.length} missing, e.g.:\n  ${histories.slice(0, 2).join('\n\n  ')}`,
      );
    });
    expect(lost.filter(ran).length).toBeGreaterThan(0);

    const late = lost.flatMap((attempt) => lateEvents(events, attempt, resumedAt));
    expect(late.length).toBeGreaterThan(0);
    expect(late.filter((event) => event.outcome !== 'ignored')).toEqual([]);
    expect(
      late.filter((event) => !['STALE_ATTEMPT', 'INVALID_TRANSITION'].includes(event.reason ?? '')),
    ).toEqual([]);
    // The results of those tasks come from newer attempts on other agents.
    const results = await db.query<{ task_id: string; attempt: number; agent_id: string }>(
      'SELECT task_id, attempt, agent_id FROM task_results WHERE task_id = ANY($1)',
      [lost.map((attempt) => attempt.taskId)],
    );
    expect(results.rows).toHaveLength(new Set(lost.map((attempt) => attempt.taskId)).size);
    for (const result of results.rows) {
      const cutOff = lost.filter((attempt) => attempt.taskId === result.task_id);
      expect(result.agent_id).not.toBe(VICTIM);
      expect(cutOff.every((attempt) => result.attempt > attempt.attempt)).toBe(true);
    }

    const { retried, ignoredEvents } = await expectEachSucceededOnce(db, taskIds);
    const reasons = late.reduce<Record<string, number>>((counts, event) => {
      const key = `${event.type}/${event.reason ?? ''}`;
      return { ...counts, [key]: (counts[key] ?? 0) + 1 };
    }, {});
    process.stdout.write(
      `fault-agent-pause: ${TASKS} sleep tasks on ${AGENTS} agents; ${VICTIM} paused ${resumedAt - pausedAt} ms ` +
        `(TTL ${AGENT_TTL_MS} ms); ${lost.length} attempts cut off, all re-run elsewhere; their late ` +
        `outcomes ignored: ${JSON.stringify(reasons)}; ${retried} tasks with attempt > 1, ` +
        `${ignoredEvents} ignored events in all\n`,
    );
    expect(cluster.crashed()).toEqual([]);
    fixture.markPassed();
  });
});

/** The attempts on the victim that the scheduler failed as AGENT_LOST while it was paused. */
function lostAttempts(events: readonly EventRow[]): EventRow[] {
  return events.filter(
    (event) => event.type === 'failed' && event.errorCode === 'AGENT_LOST' && event.agentId === VICTIM,
  );
}

function redispatched(events: readonly EventRow[], lost: EventRow): boolean {
  return events.some(
    (event) => event.type === 'dispatched' && event.taskId === lost.taskId && event.attempt > lost.attempt,
  );
}

/**
 * What the victim itself reported about a cut-off attempt once resumed: `started` for a dispatch
 * it only read after the pause, then `succeeded` (its sleep ended) or `cancelled` (the scheduler
 * took back an attempt it no longer wanted; that event names no agent). Judged by when the store
 * recorded them: an event the victim created just before the pause may still have been waiting in
 * its producer (linger, or a request in flight) and reach the store only after the resume.
 */
function lateEvents(events: readonly EventRow[], lost: EventRow, resumedAt: number): EventRow[] {
  return events.filter(
    (event) =>
      event.recordedAtMs >= resumedAt &&
      event.taskId === lost.taskId &&
      event.attempt === lost.attempt &&
      (event.type === 'cancelled' ||
        (event.agentId === VICTIM && ['started', 'progress', 'succeeded', 'failed'].includes(event.type))) &&
      event.errorCode !== 'AGENT_LOST',
  );
}

function lateOutcome(events: readonly EventRow[], lost: EventRow, resumedAt: number): EventRow | undefined {
  return lateEvents(events, lost, resumedAt).find((event) =>
    ['succeeded', 'failed', 'cancelled'].includes(event.type),
  );
}
