import { lostAttempts } from './lost-attempts';
import type { EventRow } from './task-db';

function row(taskId: string, attempt: number, type: string, agentId?: string): EventRow {
  return {
    taskId,
    attempt,
    type,
    agentId,
    atMs: 0,
    recordedAtMs: 0,
    outcome: 'applied',
    reason: null,
    errorCode: undefined,
  };
}

describe('lostAttempts', () => {
  it('counts attempts the agent accepted and never finished, not refused dispatches or other agents', () => {
    const events = [
      // Cut off by the kill: failed as AGENT_LOST, retried elsewhere.
      row('lost', 1, 'dispatched', 'victim'),
      row('lost', 1, 'started', 'victim'),
      row('lost', 1, 'failed', 'victim'),
      row('lost', 1, 'queued'),
      row('lost', 2, 'dispatched', 'other'),
      row('lost', 2, 'succeeded', 'other'),
      // Cut off, but the scheduler has not failed it yet.
      row('pending', 1, 'dispatched', 'victim'),
      // Finished on the victim before the kill.
      row('done', 1, 'dispatched', 'victim'),
      row('done', 1, 'succeeded', 'victim'),
      // The dead agent refused the connection: put back without a failure.
      row('bounced', 1, 'dispatched', 'victim'),
      row('bounced', 1, 'queued'),
      row('bounced', 2, 'dispatched', 'other'),
    ];

    expect(lostAttempts(events, 'victim')).toEqual([
      { taskId: 'lost', attempt: 1 },
      { taskId: 'pending', attempt: 1 },
    ]);
  });
});
