import { randomUUID } from 'node:crypto';
import { AppError } from './errors';
import type { TaskEvent } from './events';
import { applyTaskEvent, type TaskState } from './state-machine';

const taskId = randomUUID();
const at = new Date().toISOString();
const base = (attempt: number) => ({ eventId: randomUUID(), taskId, attempt, at });
const error = new AppError('HANDLER_FAILED', 'boom').toJSON();

const make = {
  queued: (attempt: number): TaskEvent => ({ ...base(attempt), type: 'queued' }),
  dispatched: (attempt: number): TaskEvent => ({ ...base(attempt), type: 'dispatched', agentId: 'a1' }),
  started: (attempt: number): TaskEvent => ({ ...base(attempt), type: 'started', agentId: 'a1' }),
  progress: (attempt: number): TaskEvent => ({
    ...base(attempt),
    type: 'progress',
    agentId: 'a1',
    progress: { done: 1 },
  }),
  succeeded: (attempt: number): TaskEvent => ({
    ...base(attempt),
    type: 'succeeded',
    agentId: 'a1',
    output: 1,
    durationMs: 1,
  }),
  failed: (attempt: number): TaskEvent => ({ ...base(attempt), type: 'failed', agentId: 'a1', error }),
  cancelled: (attempt: number): TaskEvent => ({ ...base(attempt), type: 'cancelled', reason: 'user' }),
  dead_lettered: (attempt: number): TaskEvent => ({ ...base(attempt), type: 'dead_lettered', error }),
};

function run(events: TaskEvent[], start: TaskState = { status: 'queued', attempt: 0 }) {
  let state = start;
  const outcomes = events.map((event) => {
    const outcome = applyTaskEvent(state, event);
    if (outcome.kind === 'applied') state = outcome.next;
    return outcome.kind === 'applied' ? 'applied' : outcome.reason;
  });
  return { state, outcomes };
}

describe('applyTaskEvent', () => {
  it('walks the happy path queued -> dispatched -> running -> succeeded', () => {
    const { state, outcomes } = run([
      make.dispatched(1),
      make.started(1),
      make.progress(1),
      make.succeeded(1),
    ]);
    expect(outcomes).toEqual(['applied', 'applied', 'applied', 'applied']);
    expect(state).toMatchObject({ status: 'succeeded', attempt: 1, agentId: 'a1' });
  });

  it('never moves a succeeded task back to running', () => {
    const { state, outcomes } = run([make.started(1), make.succeeded(1), make.started(1), make.progress(1)]);
    expect(outcomes.slice(2)).toEqual(['INVALID_TRANSITION', 'INVALID_TRANSITION']);
    expect(state.status).toBe('succeeded');
  });

  it('rejects a late result from a superseded attempt', () => {
    const { state, outcomes } = run([
      make.started(1),
      make.failed(1),
      make.queued(1),
      make.started(2),
      make.succeeded(1),
    ]);
    expect(outcomes).toEqual(['applied', 'applied', 'applied', 'applied', 'STALE_ATTEMPT']);
    expect(state).toMatchObject({ status: 'running', attempt: 2 });
  });

  it('tolerates a dispatched event arriving after started (events from two producers)', () => {
    const { state, outcomes } = run([make.started(1), make.dispatched(1), make.succeeded(1)]);
    expect(outcomes).toEqual(['applied', 'INVALID_TRANSITION', 'applied']);
    expect(state.status).toBe('succeeded');
  });

  it('puts a bounced dispatch back to queued, and the next attempt supersedes it', () => {
    const { state, outcomes } = run([
      make.dispatched(1),
      make.queued(1),
      make.dispatched(2),
      make.started(2),
    ]);
    expect(outcomes).toEqual(['applied', 'applied', 'applied', 'applied']);
    expect(state).toMatchObject({ status: 'running', attempt: 2 });
    expect(run([make.started(1), make.queued(1)]).outcomes).toEqual(['applied', 'INVALID_TRANSITION']);
  });

  it('lets a newer attempt supersede any non-final status', () => {
    for (const first of ['dispatched', 'started', 'failed'] as const) {
      const { state } = run([make[first](1), make.started(2)]);
      expect(state).toMatchObject({ status: 'running', attempt: 2 });
    }
  });

  it('keeps final statuses final, except re-driving a dead-lettered task with a newer attempt', () => {
    expect(run([make.cancelled(0), make.queued(1)]).state.status).toBe('cancelled');
    expect(run([make.succeeded(1), make.queued(2)]).state.status).toBe('succeeded');
    expect(run([make.succeeded(1), make.cancelled(1)]).state.status).toBe('succeeded');
    const redriven = run([make.failed(1), make.dead_lettered(1), make.queued(2)]);
    expect(redriven.outcomes).toEqual(['applied', 'applied', 'applied']);
    expect(redriven.state).toMatchObject({ status: 'queued', attempt: 2 });
    expect(run([make.dead_lettered(1), make.queued(1)]).outcomes).toEqual(['applied', 'INVALID_TRANSITION']);
  });

  it('records the last error and clears the agent when re-queued', () => {
    const { state } = run([make.started(1), make.failed(1)]);
    expect(state.lastError?.code).toBe('HANDLER_FAILED');
    const requeued = run([make.queued(2)], state).state;
    expect(requeued).toMatchObject({ status: 'queued', attempt: 2, agentId: undefined });
    expect(requeued.lastError?.code).toBe('HANDLER_FAILED');
  });

  it('is deterministic: applying the same event twice gives the same state as once', () => {
    const event = make.started(1);
    const once = run([event]).state;
    const twice = run([event, event]).state;
    expect(twice).toEqual(once);
  });
});

describe('applyTaskEvent fencing', () => {
  const claimed: TaskState = { status: 'dispatched', attempt: 1, agentId: 'a1', token: 'token-1' };

  it("applies the current attempt's events only with its token", () => {
    const withToken = applyTaskEvent(claimed, { ...make.started(1), token: 'token-1' });
    expect(withToken).toMatchObject({ kind: 'applied', next: { status: 'running', token: 'token-1' } });
    expect(applyTaskEvent(claimed, make.started(1))).toMatchObject({
      kind: 'ignored',
      reason: 'STALE_TOKEN',
    });
    expect(applyTaskEvent(claimed, { ...make.succeeded(1), token: 'token-0' })).toMatchObject({
      kind: 'ignored',
      reason: 'STALE_TOKEN',
    });
  });

  it('lets a cancellation through without a token, and a new attempt replace the token', () => {
    expect(applyTaskEvent(claimed, make.cancelled(1))).toMatchObject({ kind: 'applied' });
    const next = applyTaskEvent(claimed, { ...make.dispatched(2), token: 'token-2' });
    expect(next).toMatchObject({ kind: 'applied', next: { attempt: 2, token: 'token-2' } });
    const redriven = applyTaskEvent({ ...claimed, status: 'dead_lettered' }, make.queued(2));
    expect(redriven).toMatchObject({ kind: 'applied', next: { status: 'queued' } });
    if (redriven.kind === 'applied') expect(redriven.next.token).toBeUndefined();
  });

  it('refuses everything the agent of an attempt that was handed back sends, its result too', () => {
    // The dispatch lease expired (or the call bounced) and the attempt waits again; its agent's
    // news, delayed behind the hand-back or set going by a stale owner, must not revive it, fail
    // it a second time or finish it.
    const handedBack: TaskState = { ...claimed, status: 'queued', agentId: undefined };
    for (const late of [make.started(1), make.progress(1), make.failed(1), make.succeeded(1)]) {
      expect(applyTaskEvent(handedBack, { ...late, token: 'token-1' })).toMatchObject({
        kind: 'ignored',
        reason: 'INVALID_TRANSITION',
      });
    }
    expect(applyTaskEvent(handedBack, { ...make.cancelled(1), token: 'token-1' })).toMatchObject({
      kind: 'ignored',
      reason: 'INVALID_TRANSITION',
    });
  });

  it('records a retry decision: failures and the time the task waits until', () => {
    const notBefore = new Date(Date.now() + 1000).toISOString();
    const failed: TaskState = { ...claimed, status: 'failed', token: 'token-1' };
    const queued: TaskEvent = { ...base(1), type: 'queued', token: 'token-1', failures: 1, notBefore };
    const retry = applyTaskEvent(failed, queued);
    expect(retry).toMatchObject({ kind: 'applied', next: { status: 'queued', failures: 1, notBefore } });
    if (retry.kind !== 'applied') return;
    const claimedAgain = applyTaskEvent(retry.next, { ...make.dispatched(2), token: 'token-2' });
    expect(claimedAgain).toMatchObject({ kind: 'applied', next: { failures: 1 } });
    if (claimedAgain.kind === 'applied') expect(claimedAgain.next.notBefore).toBeUndefined();
  });
});
