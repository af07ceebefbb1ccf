import type { SerializedError } from '@contextforge/contracts';
import { decideAfterFailure } from './failure-policy';

const retry = { initialDelayMs: 100, maxDelayMs: 1_000 };
const failed = (code: SerializedError['code'], retryable = true): SerializedError => ({
  code,
  message: 'x',
  retryable,
});

describe('decideAfterFailure', () => {
  it('retries a retryable failure after a full-jitter backoff that grows with the failures', () => {
    expect(decideAfterFailure(failed('HANDLER_FAILED'), 0, 3, retry, () => 0.5)).toEqual({
      kind: 'retry',
      failures: 1,
      delayMs: 50,
      reason: 'retry 2 of 3 in 50 ms after HANDLER_FAILED',
    });
    expect(decideAfterFailure(failed('TASK_TIMEOUT'), 1, 3, retry, () => 0.5)).toMatchObject({
      failures: 2,
      delayMs: 100,
    });
  });

  it('dead-letters on the last allowed attempt, and at once when not retryable', () => {
    expect(decideAfterFailure(failed('HANDLER_FAILED'), 2, 3, retry)).toEqual({
      kind: 'dead_letter',
      failures: 3,
      reason: 'gave up after 3 of 3 attempts',
    });
    expect(decideAfterFailure(failed('NON_RETRYABLE_FAILURE', false), 0, 5, retry)).toEqual({
      kind: 'dead_letter',
      failures: 1,
      reason: 'not retryable',
    });
  });

  it('does not count an AGENT_DRAINING hand-back and retries it at once', () => {
    expect(decideAfterFailure(failed('AGENT_DRAINING'), 0, 1, retry, () => 0.9)).toEqual({
      kind: 'retry',
      failures: 0,
      delayMs: 0,
      reason: 'handed back by a draining agent; attempt 1 of 1 re-dispatched at once',
    });
  });

  it('does not count a dispatch lost with its replica (DISPATCH_EXPIRED) either', () => {
    expect(decideAfterFailure(failed('DISPATCH_EXPIRED'), 2, 3, retry, () => 0.9)).toEqual({
      kind: 'retry',
      failures: 2,
      delayMs: 0,
      reason: 'dispatch lost; attempt 3 of 3 re-dispatched at once',
    });
  });
});
