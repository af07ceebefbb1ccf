import { randomUUID } from 'node:crypto';
import { Client } from 'pg';

/** The local test database (ENVIRONMENT.md); CONTEXTFORGE_TEST_DATABASE_URL overrides it. */
export const TEST_DATABASE_URL =
  process.env['CONTEXTFORGE_TEST_DATABASE_URL'] ?? 'postgresql://postgres@127.0.0.1:5432/test';

/** A fresh schema name for one test. */
export function scratchSchema(): string {
  return `edge_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
}

export async function withClient<T>(use: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}

export async function dropSchema(schema: string): Promise<void> {
  await withClient((client) => client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`));
}
