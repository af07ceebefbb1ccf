import { Client } from 'pg';
import type { TaskChangedMessage } from '@contextforge/contracts';
import { createTaskRepository, type TaskStore } from '../src';
import { TEST_DATABASE_URL, testSchema } from './support/postgres';

/**
 * The outbox on a PostgreSQL server, where writers commit in another order than they drew their
 * row ids: what the relay has not published must outlive its delete.
 */
describe('outbox relay on PostgreSQL', () => {
  const schema = testSchema('outbox');
  let store: TaskStore;
  let writer: Client;

  beforeAll(async () => {
    store = createTaskRepository(TEST_DATABASE_URL, { schema: schema.name, poolSize: 2 });
    await store.connect();
    writer = new Client({ connectionString: TEST_DATABASE_URL, options: `-c search_path=${schema.name}` });
    await writer.connect();
  });

  afterAll(async () => {
    await writer.end();
    await store.close();
    await schema.drop();
  });

  const message = (taskId: string) => ({ taskId, seq: 1 }) as unknown as TaskChangedMessage;
  const insert = (client: Client, taskId: string) =>
    client.query('INSERT INTO outbox (task_id, message) VALUES ($1, $2)', [taskId, message(taskId)]);

  it('keeps a row with a lower id that committed after the relay read (it goes out next time)', async () => {
    // The slow writer draws the lower id and commits late; a quick one commits a higher id first.
    await writer.query('BEGIN');
    await insert(writer, 'slow');
    await withOwnClient((quick) => insert(quick, 'quick'));

    const first: string[] = [];
    await store.relayOutbox(async (changes) => {
      first.push(...changes.map((change) => (change as unknown as { taskId: string }).taskId));
      // The slow writer commits while the relay publishes (before it deletes what it read).
      await writer.query('COMMIT');
    }, 100);
    expect(first).toEqual(['quick']);

    const second: string[] = [];
    await store.relayOutbox(async (changes) => {
      second.push(...changes.map((change) => (change as unknown as { taskId: string }).taskId));
    }, 100);
    expect(second).toEqual(['slow']);
  });

  async function withOwnClient(work: (client: Client) => Promise<unknown>): Promise<void> {
    const client = new Client({
      connectionString: TEST_DATABASE_URL,
      options: `-c search_path=${schema.name}`,
    });
    await client.connect();
    try {
      await work(client);
    } finally {
      await client.end();
    }
  }
});
