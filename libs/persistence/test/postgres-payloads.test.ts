import { randomUUID } from 'node:crypto';
import { buildTask, buildTaskEvent } from '@contextforge/testing';
import { createTaskRepository, type TaskStore } from '../src';
import { TEST_DATABASE_URL, testSchema, withClient } from './support/postgres';

// What the contract suite cannot see through the port: a refused upload leaves no row behind, and
// payloads go with their task.
const schema = testSchema('payloads');
let store: TaskStore;

beforeAll(async () => {
  store = createTaskRepository(TEST_DATABASE_URL, { schema: schema.name, poolSize: 2 });
  await store.connect();
});

afterAll(async () => {
  await store.close();
  await schema.drop();
});

const payloadRows = (taskId: string) =>
  withClient(async (client) => {
    const { rows } = await client.query<{ count: number }>(
      `SELECT count(*)::int AS count FROM "${schema.name}".payloads WHERE task_id = $1`,
      [taskId],
    );
    return rows[0]?.count;
  });

it('writes no row for a refused upload and one for an accepted one', async () => {
  const { task } = await store.createTask(buildTask());
  const token = randomUUID();
  await store.applyEvents([buildTaskEvent('dispatched', task.id, 1, { token })]);

  await expect(
    store.putOutputPayload({ taskId: task.id, attempt: 1, token: 'forged' }, { n: 1 }),
  ).rejects.toMatchObject({ code: 'STALE_TOKEN' });
  expect(await payloadRows(task.id)).toBe(0);

  await store.putOutputPayload({ taskId: task.id, attempt: 1, token }, { n: 1 });
  expect(await payloadRows(task.id)).toBe(1);

  await withClient((client) => client.query(`DELETE FROM "${schema.name}".tasks WHERE id = $1`, [task.id]));
  expect(await payloadRows(task.id)).toBe(0);
});
