import { backoffDelay, sleep } from './backoff';

const policy = { maxRetries: 5, initialDelayMs: 10, maxDelayMs: 50 };

describe('backoffDelay', () => {
  it('doubles per retry up to the cap, jittered between half and all of it', () => {
    expect(backoffDelay(1, policy, () => 0)).toBe(5);
    expect(backoffDelay(1, policy, () => 1)).toBe(10);
    expect(backoffDelay(3, policy, () => 1)).toBe(40);
    expect(backoffDelay(4, policy, () => 1)).toBe(50);
    expect(backoffDelay(9, policy, () => 0)).toBe(25);
  });
});

describe('sleep', () => {
  it('ends early when its signal aborts', async () => {
    const controller = new AbortController();
    const started = Date.now();
    const slept = sleep(60_000, controller.signal);
    controller.abort();
    await slept;
    expect(Date.now() - started).toBeLessThan(1_000);
  });
});
