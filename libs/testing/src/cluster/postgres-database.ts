import { randomUUID } from 'node:crypto';
import { Client } from 'pg';

export interface ScratchDatabase {
  name: string;
  /** Connection URL of the new database. */
  url: string;
  /** Drops it, ending any sessions still connected. */
  drop(): Promise<void>;
}

/** The local test server (trust auth), as ENVIRONMENT.md describes it. */
export const LOCAL_POSTGRES_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

/** Creates an empty database `<prefix>_<12 hex>` on the server of `serverUrl`, for one test. */
export async function createScratchDatabase(
  serverUrl = LOCAL_POSTGRES_URL,
  prefix = 'cf_test',
): Promise<ScratchDatabase> {
  if (!/^[a-z_][a-z0-9_]*$/.test(prefix))
    throw new Error(`database prefix ${prefix}: use lower-case letters, digits and _`);
  const name = `${prefix}_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  await withClient(serverUrl, (client) => client.query(`CREATE DATABASE ${name}`));
  return {
    name,
    url: databaseUrl(serverUrl, name),
    drop: async () => {
      await withClient(serverUrl, (client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    },
  };
}

/**
 * Creates the database `url` names if it does not exist yet (connecting to the server's
 * `postgres` database to do so); resolves true if it created it.
 */
export async function ensureDatabase(url: string): Promise<boolean> {
  const name = decodeURIComponent(new URL(url).pathname.replace(/^\//, ''));
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name))
    throw new Error(`database name ${JSON.stringify(name)}: expected letters, digits and _`);
  return withClient(databaseUrl(url, 'postgres'), async (client) => {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount) return false;
    await client.query(`CREATE DATABASE "${name}"`);
    return true;
  });
}

function databaseUrl(serverUrl: string, name: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

async function withClient<T>(url: string, use: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}
