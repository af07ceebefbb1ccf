import type { RateLimitStore } from '../../src';

export interface RateLimitStoreSubject {
  store: RateLimitStore;
  /** A second instance on the same shared state (another gateway replica), for shared stores. */
  peer?: RateLimitStore;
  /** Closes the stores and removes what the test created. */
  cleanup(): Promise<void>;
}

const MINUTE = 60_000;

/**
 * The RateLimitStore contract (see the port's doc comment), run against every adapter. Each test
 * opens a fresh subject (for PostgreSQL: its own schema, dropped after).
 */
export function describeRateLimitStoreContract(
  name: string,
  open: () => Promise<RateLimitStoreSubject>,
  options: { shared: boolean },
): void {
  describe(`RateLimitStore contract: ${name}`, () => {
    let subject: RateLimitStoreSubject;
    beforeEach(async () => {
      subject = await open();
    });
    afterEach(() => subject.cleanup());

    it('lets a burst of `limit` through at once and refuses the next one', async () => {
      const rate = { limit: 5, windowMs: MINUTE };
      const remaining: number[] = [];
      for (let i = 0; i < 5; i += 1) {
        const decision = await subject.store.hit('k', 1, rate);
        expect(decision).toMatchObject({ allowed: true, limit: 5, retryAfterMs: 0 });
        remaining.push(decision.remaining);
      }
      expect(remaining).toEqual([4, 3, 2, 1, 0]);
      const refused = await subject.store.hit('k', 1, rate);
      expect(refused).toMatchObject({ allowed: false, limit: 5, remaining: 0 });
      // One unit comes back every 12 s; a little of that has passed since the burst.
      expect(refused.retryAfterMs).toBeGreaterThan(10_000);
      expect(refused.retryAfterMs).toBeLessThanOrEqual(12_000);
      expect(refused.resetMs).toBeGreaterThan(55_000);
      expect(refused.resetMs).toBeLessThanOrEqual(MINUTE);
    });

    it('spends nothing on a refused hit, so a smaller one may still pass', async () => {
      const rate = { limit: 3, windowMs: MINUTE };
      await expect(subject.store.hit('k', 2, rate)).resolves.toMatchObject({ allowed: true, remaining: 1 });
      await expect(subject.store.hit('k', 2, rate)).resolves.toMatchObject({ allowed: false, remaining: 1 });
      await expect(subject.store.hit('k', 1, rate)).resolves.toMatchObject({ allowed: true, remaining: 0 });
    });

    it('always refuses a cost above the limit, without spending', async () => {
      const rate = { limit: 3, windowMs: MINUTE };
      const refused = await subject.store.hit('k', 4, rate);
      expect(refused).toMatchObject({ allowed: false, remaining: 3 });
      expect(refused.retryAfterMs).toBeGreaterThan(0);
      await expect(subject.store.hit('k', 3, rate)).resolves.toMatchObject({ allowed: true, remaining: 0 });
    });

    it('allows a cost of 0 and reports the state', async () => {
      const rate = { limit: 4, windowMs: MINUTE };
      await subject.store.hit('k', 3, rate);
      await expect(subject.store.hit('k', 0, rate)).resolves.toMatchObject({ allowed: true, remaining: 1 });
    });

    it('keeps keys apart', async () => {
      const rate = { limit: 1, windowMs: MINUTE };
      await expect(subject.store.hit('ip:a', 1, rate)).resolves.toMatchObject({ allowed: true });
      await expect(subject.store.hit('ip:a', 1, rate)).resolves.toMatchObject({ allowed: false });
      await expect(subject.store.hit('ip:b', 1, rate)).resolves.toMatchObject({ allowed: true });
    });

    it('gives units back as time passes', async () => {
      const rate = { limit: 2, windowMs: 400 };
      await subject.store.hit('k', 2, rate);
      const refused = await subject.store.hit('k', 1, rate);
      expect(refused.allowed).toBe(false);
      expect(refused.retryAfterMs).toBeLessThanOrEqual(200);
      // What is tested here is the passing of time itself.
      await new Promise((resolve) => setTimeout(resolve, refused.retryAfterMs + 20));
      await expect(subject.store.hit('k', 1, rate)).resolves.toMatchObject({ allowed: true });
    });

    it('allows exactly `limit` of 50 concurrent hits', async () => {
      const rate = { limit: 10, windowMs: MINUTE };
      const decisions = await Promise.all(
        Array.from({ length: 50 }, (_, i) => ((i % 2 && subject.peer) || subject.store).hit('k', 1, rate)),
      );
      expect(decisions.filter((d) => d.allowed)).toHaveLength(10);
    });

    it('refuses a cost that is not a whole number >= 0', async () => {
      const rate = { limit: 2, windowMs: MINUTE };
      await expect(subject.store.hit('k', -1, rate)).rejects.toThrow(RangeError);
      await expect(subject.store.hit('k', 1.5, rate)).rejects.toThrow(RangeError);
      await expect(subject.store.hit('k', 1, { limit: 0, windowMs: MINUTE })).rejects.toThrow(RangeError);
    });

    if (options.shared) {
      it('shares one limit between instances (a limit holds across gateway replicas)', async () => {
        const rate = { limit: 3, windowMs: MINUTE };
        const peer = subject.peer;
        if (!peer) throw new Error('a shared store must come with a peer');
        await expect(subject.store.hit('ip:203.0.113.7', 2, rate)).resolves.toMatchObject({ allowed: true });
        await expect(peer.hit('ip:203.0.113.7', 1, rate)).resolves.toMatchObject({
          allowed: true,
          remaining: 0,
        });
        await expect(subject.store.hit('ip:203.0.113.7', 1, rate)).resolves.toMatchObject({ allowed: false });
        await expect(peer.hit('ip:203.0.113.7', 1, rate)).resolves.toMatchObject({ allowed: false });
      });
    }
  });
}
