import { describeTaskRepositoryContract } from '@contextforge/testing';
import { createTaskRepository } from '../src';

describeTaskRepositoryContract('memory', async () => {
  const repository = createTaskRepository('memory://');
  await repository.connect();
  return { repository, cleanup: () => repository.close() };
});
