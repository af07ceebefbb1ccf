import { randomUUID } from 'node:crypto';
import { Client } from 'pg';

/**
 * The PostgreSQL server tests run against (started before every session and in CI; trust auth).
 * CONTEXTFORGE_TEST_DATABASE_URL overrides it.
 */
export const TEST_DATABASE_URL =
  process.env['CONTEXTFORGE_TEST_DATABASE_URL'] ?? 'postgresql://postgres@127.0.0.1:5432/test';

export interface TestSchema {
  /** A fresh, empty Postgres schema name, e.g. t_contract_1a2b3c4d. */
  name: string;
  /** Drops the schema and everything in it. */
  drop(): Promise<void>;
}

/**
 * Reserves a namespace of its own for one test file: a schema name nobody else uses (the code under
 * test creates it) and a `drop` that removes it with all it holds.
 */
export function testSchema(label: string): TestSchema {
  const name = `t_${label}_${randomUUID().replaceAll('-', '').slice(0, 10)}`;
  const drop = async (): Promise<void> => {
    await withClient((client) => client.query(`DROP SCHEMA IF EXISTS "${name}" CASCADE`));
  };
  return { name, drop };
}

/** Runs `work` with a short-lived connection to the test database. */
export async function withClient<T>(work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}
