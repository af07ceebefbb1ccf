import type { LeaseStore } from '@contextforge/contracts';
import { createSilentLogger } from '@contextforge/observability';
import { deferred, waitFor } from '@contextforge/testing';
import { Leadership } from './leadership';

/**
 * A lease store held in this test, with expiry on its own clock like the real ones, and switches
 * to make it unreachable or to leave requests unanswered.
 */
class TestLeases implements LeaseStore {
  holder: string | undefined;
  expiresAt = 0;
  reachable = true;
  /** While set, requests wait for it (a store that stopped answering). */
  stall: Promise<void> | undefined;

  async tryAcquire(_name: string, holder: string, ttlMs: number): Promise<boolean> {
    if (!this.reachable) throw new Error('lease store unreachable');
    await this.stall;
    const now = performance.now();
    if (this.holder === undefined || this.holder === holder || this.expiresAt <= now) {
      this.holder = holder;
      this.expiresAt = now + ttlMs;
      return true;
    }
    return false;
  }

  async release(_name: string, holder: string): Promise<void> {
    if (this.holder === holder) this.holder = undefined;
  }
}

const TTL_MS = 150;

function replica(leases: LeaseStore, holder: string, log: string[], startMs = 0) {
  return new Leadership({
    leases,
    name: 'scheduler',
    holder,
    ttlMs: TTL_MS,
    logger: createSilentLogger(),
    lead: async () => {
      log.push(`${holder} leads`);
      if (startMs > 0) await new Promise((resolve) => setTimeout(resolve, startMs));
      return async () => void log.push(`${holder} stops`);
    },
  });
}

describe('Leadership', () => {
  it('lets exactly one replica lead and hands over when the leader stops', async () => {
    const leases = new TestLeases();
    const log: string[] = [];
    const a = replica(leases, 'a', log);
    const b = replica(leases, 'b', log);
    a.start();
    await waitFor(() => a.leading);
    b.start();
    await waitFor(() => leases.holder === 'a' && log.length === 1);
    expect(b.leading).toBe(false);

    await a.stop();
    await waitFor(() => b.leading);
    expect(log).toEqual(['a leads', 'a stops', 'b leads']);
    await b.stop();
    expect(leases.holder).toBeUndefined();
  });

  it('keeps renewing while the leader is still starting, so that a slow start keeps the lease', async () => {
    const leases = new TestLeases();
    const log: string[] = [];
    // Starting takes three TTLs; without renewals meanwhile, b would take the lease and lead too.
    const a = replica(leases, 'a', log, 3 * TTL_MS);
    const b = replica(leases, 'b', log);
    a.start();
    await waitFor(() => log.length === 1);
    b.start();
    await waitFor(() => a.leading, { timeoutMs: 2_000 });
    await new Promise((resolve) => setTimeout(resolve, TTL_MS));

    expect(log).toEqual(['a leads']);
    expect(leases.holder).toBe('a');
    expect(b.leading).toBe(false);
    await b.stop();
    await a.stop();
  });

  it('steps down before its lease can expire when renewals go unanswered', async () => {
    const leases = new TestLeases();
    const log: string[] = [];
    const stall = deferred();
    let stoppedAt = 0;
    const a = new Leadership({
      leases,
      name: 'scheduler',
      holder: 'a',
      ttlMs: TTL_MS,
      logger: createSilentLogger(),
      lead: async () => async () => {
        stoppedAt = performance.now();
        log.push('a stops');
      },
    });
    a.start();
    await waitFor(() => a.leading);
    leases.stall = stall.promise;

    await waitFor(() => !a.leading, { timeoutMs: 2_000 });
    await waitFor(() => log.length === 1);
    // Stopped while the lease was still ours: nobody else could have been leading yet.
    expect(stoppedAt).toBeLessThan(leases.expiresAt);
    leases.stall = undefined;
    stall.resolve();
    await waitFor(() => a.leading, { timeoutMs: 2_000 });
    await a.stop();
  });

  it('steps down when the lease cannot be renewed in time', async () => {
    const leases = new TestLeases();
    const log: string[] = [];
    const a = replica(leases, 'a', log);
    a.start();
    await waitFor(() => a.leading);
    leases.reachable = false;
    await waitFor(() => !a.leading, { timeoutMs: 2_000 });
    await waitFor(() => log.length === 2);
    expect(log).toEqual(['a leads', 'a stops']);
    leases.reachable = true;
    await waitFor(() => a.leading, { timeoutMs: 2_000 });
    await a.stop();
  });

  it('steps down when another replica took the lease', async () => {
    const leases = new TestLeases();
    const log: string[] = [];
    const a = replica(leases, 'a', log);
    a.start();
    await waitFor(() => a.leading);
    leases.holder = 'intruder';
    leases.expiresAt = performance.now() + 60_000;
    await waitFor(() => !a.leading, { timeoutMs: 2_000 });
    await waitFor(() => log.length === 2);
    expect(log).toEqual(['a leads', 'a stops']);
    await a.stop();
  });

  it('tries again when starting to lead fails, and does not lead meanwhile', async () => {
    const leases = new TestLeases();
    let calls = 0;
    const a = new Leadership({
      leases,
      name: 'scheduler',
      holder: 'a',
      ttlMs: TTL_MS,
      logger: createSilentLogger(),
      lead: async () => {
        calls += 1;
        if (calls === 1) throw new Error('dependency not ready');
        return async () => undefined;
      },
    });
    a.start();
    await waitFor(() => a.leading, { timeoutMs: 2_000 });
    expect(calls).toBe(2);
    await a.stop();
  });
});
