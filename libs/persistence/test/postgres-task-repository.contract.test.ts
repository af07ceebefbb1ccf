import type { TaskRepository } from '@contextforge/contracts';
import { describeTaskRepositoryContract } from '@contextforge/testing';
import { createTaskRepository } from '../src';
import { TEST_DATABASE_URL, testSchema } from './support/postgres';

describeTaskRepositoryContract(
  'PostgreSQL',
  async () => {
    const schema = testSchema('contract');
    const open = async (): Promise<TaskRepository> => {
      const repository = createTaskRepository(TEST_DATABASE_URL, { schema: schema.name, poolSize: 4 });
      await repository.connect();
      return repository;
    };
    const repository = await open();
    return {
      repository,
      openReplica: open,
      cleanup: async () => {
        await repository.close();
        await schema.drop();
      },
    };
  },
  { replicas: true },
);
