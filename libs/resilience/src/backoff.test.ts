import fc from 'fast-check';
import { backoffCeiling, backoffDelay, type BackoffOptions, type Jitter } from './backoff';

const options = fc.record({
  initialMs: fc.integer({ min: 0, max: 60_000 }),
  maxMs: fc.integer({ min: 0, max: 600_000 }),
  multiplier: fc.double({ min: 1, max: 10, noNaN: true }),
});
const attempt = fc.integer({ min: 1, max: 2_000 });
const unit = fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true });
const jitter = fc.constantFrom<Jitter>('full', 'equal', 'none');

describe('backoffDelay properties', () => {
  it('stays within its jitter band and never above the cap', () => {
    fc.assert(
      fc.property(attempt, options, jitter, unit, (n, policy, mode, r) => {
        const ceiling = backoffCeiling(n, policy);
        const delay = backoffDelay(n, { ...policy, jitter: mode, random: () => r });
        expect(delay).toBeLessThanOrEqual(policy.maxMs);
        expect(delay).toBeLessThanOrEqual(ceiling);
        if (mode === 'none') expect(delay).toBe(ceiling);
        if (mode === 'full') expect(delay).toBeGreaterThanOrEqual(0);
        if (mode === 'equal') expect(delay).toBeGreaterThanOrEqual(ceiling / 2);
      }),
    );
  });

  it('has an upper bound that never decreases from one attempt to the next', () => {
    fc.assert(
      fc.property(attempt, options, (n, policy) => {
        expect(backoffCeiling(n + 1, policy)).toBeGreaterThanOrEqual(backoffCeiling(n, policy));
      }),
    );
  });

  it('grows by the multiplier until it reaches the cap', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 30 }), options, (n, policy) => {
        const expected = Math.min(policy.maxMs, policy.initialMs * policy.multiplier ** (n - 1));
        expect(backoffCeiling(n, policy)).toBeCloseTo(expected, 6);
      }),
    );
  });

  it('is a pure function of its arguments', () => {
    fc.assert(
      fc.property(attempt, options, jitter, unit, (n, policy, mode, r) => {
        const settings: BackoffOptions = { ...policy, jitter: mode, random: () => r };
        expect(backoffDelay(n, settings)).toBe(backoffDelay(n, settings));
      }),
    );
  });
});

describe('backoffDelay examples', () => {
  const policy = { initialMs: 100, maxMs: 1_000 };

  it('doubles by default and caps at maxMs', () => {
    expect([1, 2, 3, 4, 5, 50, 5_000].map((n) => backoffDelay(n, { ...policy, jitter: 'none' }))).toEqual([
      100, 200, 400, 800, 1_000, 1_000, 1_000,
    ]);
  });

  it('places full and equal jitter by the random value', () => {
    expect(backoffDelay(3, { ...policy, jitter: 'full', random: () => 0.25 })).toBe(100);
    expect(backoffDelay(3, { ...policy, jitter: 'equal', random: () => 0.5 })).toBe(300);
    expect(backoffDelay(3, { ...policy, random: () => 0.5 })).toBe(200);
  });

  it('cannot exceed the ceiling even when random misbehaves', () => {
    expect(backoffDelay(1, { ...policy, jitter: 'full', random: () => 1.5 })).toBe(100);
    expect(backoffDelay(1, { ...policy, jitter: 'equal', random: () => -1 })).toBe(50);
  });

  it('reads attempts below 1 as the first retry', () => {
    expect(backoffCeiling(0, policy)).toBe(100);
    expect(backoffCeiling(-3, policy)).toBe(100);
  });

  it('rejects invalid options', () => {
    expect(() => backoffDelay(1, { initialMs: -1, maxMs: 10 })).toThrow(RangeError);
    expect(() => backoffDelay(1, { initialMs: 1, maxMs: Number.NaN })).toThrow(RangeError);
    expect(() => backoffDelay(1, { initialMs: 1, maxMs: 10, multiplier: 0.5 })).toThrow(RangeError);
    expect(() => backoffDelay(Number.NaN, policy)).toThrow(RangeError);
  });
});
