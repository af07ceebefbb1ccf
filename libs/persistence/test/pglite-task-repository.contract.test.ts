import { describeTaskRepositoryContract } from '@contextforge/testing';
import { createTaskRepository } from '../src';

// PGlite serves one connection, so there is no second replica to race against.
describeTaskRepositoryContract('PGlite (pglite://memory)', async () => {
  const repository = createTaskRepository('pglite://memory');
  await repository.connect();
  return { repository, cleanup: () => repository.close() };
});
