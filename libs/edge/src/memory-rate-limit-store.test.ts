import { MemoryRateLimitStore } from './memory-rate-limit-store';

describe('MemoryRateLimitStore memory', () => {
  const rate = { limit: 10, windowMs: 1_000 };

  it('forgets keys once they are at rest', async () => {
    let now = 0;
    const store = new MemoryRateLimitStore({ clock: () => now });
    for (let i = 0; i < 999; i += 1) await store.hit(`k${i}`, 1, rate);
    expect(store.size).toBe(999);
    now = 1_000;
    await store.hit('trigger', 1, rate);
    expect(store.size).toBe(1);
  });

  it('holds at most maxKeys, evicting the least recently hit', async () => {
    const store = new MemoryRateLimitStore({ clock: () => 0, maxKeys: 100 });
    await store.hit('hot', 10, rate);
    for (let i = 0; i < 500; i += 1) {
      await store.hit(`flood-${i}`, 1, rate);
      if (i % 50 === 0) await store.hit('hot', 0, rate);
      expect(store.size).toBeLessThanOrEqual(100);
    }
    // Recently hit, so still held: its allowance is still spent.
    await expect(store.hit('hot', 1, rate)).resolves.toMatchObject({ allowed: false });
  });
});
