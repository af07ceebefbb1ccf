import { gcraHit } from './gcra';

/** Replays hits at the given times (ms) against one key; returns which were allowed. */
function replay(times: readonly number[], rate: { limit: number; windowMs: number }, cost = 1): boolean[] {
  let tat: number | undefined;
  return times.map((ms) => {
    const step = gcraHit(tat, ms * 1000, cost, rate);
    tat = step.tatUs;
    return step.decision.allowed;
  });
}

describe('gcraHit', () => {
  const perMinute = { limit: 100, windowMs: 60_000 };

  it('lets 100 of 100/min through at the same instant and refuses the 101st', () => {
    const allowed = replay(
      Array.from({ length: 101 }, () => 0),
      perMinute,
    );
    expect(allowed.filter(Boolean)).toHaveLength(100);
    expect(allowed[100]).toBe(false);
  });

  it('earns one unit back every window / limit after a burst', () => {
    const times = [...Array.from({ length: 100 }, () => 0), 599, 600, 600, 1_200];
    expect(replay(times, perMinute).slice(100)).toEqual([false, true, false, true]);
  });

  it('says when a refused hit would pass and when the allowance is whole again', () => {
    let tat: number | undefined;
    for (let i = 0; i < 100; i += 1) tat = gcraHit(tat, 0, 1, perMinute).tatUs;
    const { decision } = gcraHit(tat, 100_000, 1, perMinute);
    expect(decision).toEqual({
      allowed: false,
      limit: 100,
      remaining: 0,
      resetMs: 59_900,
      retryAfterMs: 500,
    });
  });

  it.each([3, 7, 9, 11, 13, 17, 33, 1_000, 7_777])(
    'lets exactly a burst of %i through at epoch times, however window / limit divides',
    (limit) => {
      const rate = { limit, windowMs: 60_000 };
      const now = 1_700_000_000_123.4;
      const allowed = replay(
        Array.from({ length: limit + 1 }, () => now),
        rate,
      );
      expect(allowed.filter(Boolean)).toHaveLength(limit);
      expect(allowed[limit]).toBe(false);
    },
  );

  it('never passes more than 2 x limit in any window under a steady flood', () => {
    const rate = { limit: 10, windowMs: 1_000 };
    const times = Array.from({ length: 5_000 }, (_, i) => i);
    const allowed = replay(times, rate);
    const allowedAt = times.filter((_, i) => allowed[i]);
    for (const start of allowedAt) {
      expect(allowedAt.filter((t) => t >= start && t < start + rate.windowMs).length).toBeLessThanOrEqual(20);
    }
    // ... and about `limit` per window on average.
    expect(allowedAt.length).toBeGreaterThanOrEqual(50);
    expect(allowedAt.length).toBeLessThanOrEqual(60);
  });
});
