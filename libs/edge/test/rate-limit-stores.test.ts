import { MemoryRateLimitStore, PostgresRateLimitStore, createRateLimitStore } from '../src';
import { TEST_DATABASE_URL, dropSchema, scratchSchema, withClient } from './support/postgres';
import { describeRateLimitStoreContract } from './support/rate-limit-store-contract';

describeRateLimitStoreContract(
  'MemoryRateLimitStore',
  async () => {
    const store = new MemoryRateLimitStore();
    return { store, cleanup: () => store.close() };
  },
  { shared: false },
);

async function openPostgres(schema: string): Promise<PostgresRateLimitStore> {
  const store = new PostgresRateLimitStore({ url: TEST_DATABASE_URL, schema, cleanupIntervalMs: 0 });
  await store.connect();
  return store;
}

describeRateLimitStoreContract(
  'PostgresRateLimitStore',
  async () => {
    const schema = scratchSchema();
    // Two replicas starting at once, on one schema that does not exist yet.
    const [store, peer] = await Promise.all([openPostgres(schema), openPostgres(schema)]);
    return {
      store,
      peer,
      cleanup: async () => {
        await Promise.all([store.close(), peer.close()]);
        await dropSchema(schema);
      },
    };
  },
  { shared: true },
);

describe('PostgresRateLimitStore', () => {
  let schema: string;
  let store: PostgresRateLimitStore;
  beforeEach(async () => {
    schema = scratchSchema();
    store = await openPostgres(schema);
  });
  afterEach(async () => {
    await store.close();
    await dropSchema(schema);
  });

  it('keeps its counters in an UNLOGGED table of its own schema', async () => {
    const persistence = await withClient((client) =>
      client.query<{ relpersistence: string }>(
        `SELECT c.relpersistence FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE n.nspname = $1 AND c.relname = 'rate_limits'`,
        [schema],
      ),
    );
    expect(persistence.rows).toEqual([{ relpersistence: 'u' }]);
  });

  it('deletes keys at rest on cleanup and keeps active ones', async () => {
    const rate = { limit: 2, windowMs: 60_000 };
    await store.hit('at-rest', 1, rate);
    await store.hit('active', 1, rate);
    await withClient((client) =>
      client.query(`UPDATE "${schema}".rate_limits SET tat = 0 WHERE key = 'at-rest'`),
    );
    await expect(store.cleanup()).resolves.toBe(1);
    const keys = await withClient((client) =>
      client.query<{ key: string }>(`SELECT key FROM "${schema}".rate_limits`),
    );
    expect(keys.rows).toEqual([{ key: 'active' }]);
    await expect(store.hit('active', 2, rate)).resolves.toMatchObject({ allowed: false, remaining: 1 });
  });

  it('answers SERVICE_UNAVAILABLE once closed', async () => {
    await store.close();
    await expect(store.hit('k', 1, { limit: 1, windowMs: 1000 })).rejects.toMatchObject({
      code: 'SERVICE_UNAVAILABLE',
    });
  });

  it('fails to connect with SERVICE_UNAVAILABLE when the database is unreachable', async () => {
    const unreachable = new PostgresRateLimitStore({ url: 'postgres://postgres@127.0.0.1:1/test' });
    await expect(unreachable.connect()).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
    await unreachable.close();
  });

  it('refuses a schema name that is not a plain identifier', () => {
    expect(
      () => new PostgresRateLimitStore({ url: TEST_DATABASE_URL, schema: 'a"; DROP TABLE x; --' }),
    ).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
  });
});

describe('createRateLimitStore', () => {
  it('makes a memory store for memory://', async () => {
    const store = await createRateLimitStore('memory://');
    expect(store).toBeInstanceOf(MemoryRateLimitStore);
    await store.close();
  });

  it('makes a connected PostgreSQL store for postgres://, in the schema the URL names', async () => {
    const schema = scratchSchema();
    const store = await createRateLimitStore(`${TEST_DATABASE_URL}?schema=${schema}`);
    try {
      expect(store).toBeInstanceOf(PostgresRateLimitStore);
      await store.hit('k', 1, { limit: 1, windowMs: 1000 });
      const rows = await withClient((client) => client.query(`SELECT key FROM "${schema}".rate_limits`));
      expect(rows.rows).toEqual([{ key: 'k' }]);
    } finally {
      await store.close();
      await dropSchema(schema);
    }
  });

  it('refuses another scheme with CONFIG_INVALID, without echoing a password', async () => {
    const error: unknown = await createRateLimitStore('redis://user:secret@host:6379').catch(
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: 'CONFIG_INVALID', message: /network\.rate_limiting\.store/ });
    expect(String((error as Error).message)).not.toContain('secret');
  });
});
