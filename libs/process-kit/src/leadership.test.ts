import type { LeaseStore } from '@contextforge/contracts';
import { createSilentLogger } from '@contextforge/observability';
import { waitFor } from '@contextforge/testing';
import { Leadership } from './leadership';

/** A lease store held in this test, with a switch to make it unreachable. */
class TestLeases implements LeaseStore {
  holder: string | undefined;
  reachable = true;

  async tryAcquire(_name: string, holder: string): Promise<boolean> {
    if (!this.reachable) throw new Error('lease store unreachable');
    if (this.holder === undefined || this.holder === holder) {
      this.holder = holder;
      return true;
    }
    return false;
  }

  async release(_name: string, holder: string): Promise<void> {
    if (this.holder === holder) this.holder = undefined;
  }
}

function replica(leases: LeaseStore, holder: string, log: string[]) {
  return new Leadership({
    leases,
    name: 'scheduler',
    holder,
    ttlMs: 150,
    logger: createSilentLogger(),
    lead: async () => {
      log.push(`${holder} leads`);
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

  it('steps down when the lease cannot be renewed in time', async () => {
    const leases = new TestLeases();
    const log: string[] = [];
    const a = replica(leases, 'a', log);
    a.start();
    await waitFor(() => a.leading);
    leases.reachable = false;
    await waitFor(() => !a.leading, { timeoutMs: 2_000 });
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
    await waitFor(() => !a.leading, { timeoutMs: 2_000 });
    expect(log).toEqual(['a leads', 'a stops']);
    await a.stop();
  });
});
