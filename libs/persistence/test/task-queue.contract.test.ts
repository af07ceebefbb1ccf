import { describeTaskQueueContract } from '@contextforge/testing';
import { MemoryTaskRepository, createTaskRepository } from '../src';
import { TEST_DATABASE_URL, testSchema } from './support/postgres';

describeTaskQueueContract('memory', async () => {
  const store = new MemoryTaskRepository();
  await store.connect();
  return { store, cleanup: () => store.close() };
});

// PGlite serves one connection: "replicas" share it, so claims are serialized by the connection.
describeTaskQueueContract('PGlite (pglite://memory)', async () => {
  const store = createTaskRepository('pglite://memory');
  await store.connect();
  return { store, cleanup: () => store.close() };
});

describeTaskQueueContract('PostgreSQL', async () => {
  const schema = testSchema('queue');
  const open = async () => {
    const store = createTaskRepository(TEST_DATABASE_URL, { schema: schema.name, poolSize: 4 });
    await store.connect();
    return store;
  };
  const store = await open();
  return {
    store,
    openReplica: open,
    cleanup: async () => {
      await store.close();
      await schema.drop();
    },
  };
});
