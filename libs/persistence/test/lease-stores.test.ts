import type { LeaseStore } from '@contextforge/contracts';
import { waitFor } from '@contextforge/testing';
import { MemoryLeaseStore, PostgresLeaseStore } from '../src/lease-stores';
import { TEST_DATABASE_URL, testSchema } from './support/postgres';

const TTL = 300;

function describeLeaseStore(
  name: string,
  open: () => Promise<{ store: LeaseStore; close(): Promise<void> }>,
) {
  describe(`${name} lease store`, () => {
    let subject: { store: LeaseStore; close(): Promise<void> };

    beforeEach(async () => {
      subject = await open();
    });

    afterEach(async () => {
      await subject.close();
    });

    it('gives a lease to one holder at a time and lets the holder renew it', async () => {
      const { store } = subject;
      expect(await store.tryAcquire('scheduler', 'a', 10_000)).toBe(true);
      expect(await store.tryAcquire('scheduler', 'b', 10_000)).toBe(false);
      expect(await store.tryAcquire('scheduler', 'a', 10_000)).toBe(true);
      expect(await store.tryAcquire('registry', 'b', 10_000)).toBe(true);
    });

    it('hands the lease over once it expired without renewal', async () => {
      const { store } = subject;
      expect(await store.tryAcquire('scheduler', 'a', TTL)).toBe(true);
      expect(await store.tryAcquire('scheduler', 'b', TTL)).toBe(false);
      await waitFor(() => store.tryAcquire('scheduler', 'b', 10_000), { timeoutMs: 5_000 });
      expect(await store.tryAcquire('scheduler', 'a', TTL)).toBe(false);
    });

    it('hands the lease over at once on release, and ignores a release by a non-holder', async () => {
      const { store } = subject;
      expect(await store.tryAcquire('scheduler', 'a', 10_000)).toBe(true);
      await store.release('scheduler', 'b');
      expect(await store.tryAcquire('scheduler', 'b', 10_000)).toBe(false);
      await store.release('scheduler', 'a');
      expect(await store.tryAcquire('scheduler', 'b', 10_000)).toBe(true);
    });
  });
}

describeLeaseStore('memory', async () => {
  const store = new MemoryLeaseStore();
  return { store, close: () => store.close() };
});

describeLeaseStore('PostgreSQL', async () => {
  const schema = testSchema('leases');
  const url = new URL(TEST_DATABASE_URL);
  url.searchParams.set('schema', schema.name);
  const store = new PostgresLeaseStore(url.toString());
  await store.connect();
  return {
    store,
    close: async () => {
      await store.close();
      await schema.drop();
    },
  };
});
