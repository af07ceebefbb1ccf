import { describeApiKeyStoreContract } from '@contextforge/testing';
import { createApiKeyStore, createTaskRepository } from '../src';
import { TEST_DATABASE_URL, testSchema } from './support/postgres';

// Starting PGlite takes a few seconds on a busy machine.
jest.setTimeout(120_000);

describeApiKeyStoreContract('memory', async () => {
  const store = createApiKeyStore('memory://');
  await store.connect();
  return { store, cleanup: () => store.close() };
});

describeApiKeyStoreContract('PGlite (pglite://memory, its own server)', async () => {
  const store = createApiKeyStore('pglite://memory');
  await store.connect();
  return { store, cleanup: () => store.close() };
});

// The embedded mode: the store borrows the task repository's single PGlite connection.
describeApiKeyStoreContract('PGlite shared with the task repository', async () => {
  const repository = createTaskRepository('pglite://memory');
  const store = createApiKeyStore('pglite://memory', { repository });
  await repository.connect();
  await store.connect();
  return {
    store,
    cleanup: async () => {
      await store.close();
      await repository.close();
    },
  };
});

describeApiKeyStoreContract('PostgreSQL', async () => {
  const schema = testSchema('api_keys');
  const url = new URL(TEST_DATABASE_URL);
  url.searchParams.set('schema', schema.name);
  const store = createApiKeyStore(url.toString());
  await store.connect();
  return {
    store,
    cleanup: async () => {
      await store.close();
      await schema.drop();
    },
  };
});
