import { limitTasks } from './limit-tasks';
import { MemoryRateLimitStore } from './memory-rate-limit-store';

describe('limitTasks', () => {
  const rate = { limit: 1_000, windowMs: 60_000 };
  const store = new MemoryRateLimitStore({ clock: () => 0 });

  it('spends the tasks of a submission and reports what is left', async () => {
    await expect(limitTasks(store, 'agent:a1', 400, rate)).resolves.toMatchObject({
      allowed: true,
      remaining: 600,
    });
  });

  it('throws a retryable RATE_LIMITED with retryAfterMs when the allowance is spent', async () => {
    await limitTasks(store, 'client:alice', 1_000, rate);
    const error: unknown = await limitTasks(store, 'client:alice', 10, rate).catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: 'RATE_LIMITED',
      retryable: true,
      details: { retryAfterMs: 600, limit: 1_000, windowMs: 60_000, cost: 10 },
    });
  });

  it('refuses a batch larger than the whole limit as not retryable', async () => {
    const error: unknown = await limitTasks(store, 'client:bob', 1_001, rate).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'RATE_LIMITED', retryable: false, message: /submit fewer/ });
    await expect(limitTasks(store, 'client:bob', 1_000, rate)).resolves.toMatchObject({ allowed: true });
  });
});
