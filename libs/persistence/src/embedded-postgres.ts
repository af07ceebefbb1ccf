import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { translateError } from './translate-error';

/**
 * Postgres without a server to install: PGlite (Postgres compiled to WebAssembly, in this process)
 * served on the Postgres wire protocol by PGLiteSocketServer, so the same `pg` + Prisma code runs
 * against it. Used by the embedded mode (`pglite://` URLs) and tests.
 *
 * PGlite is one single-user backend: the server accepts ONE connection (more would interleave
 * their protocol messages, and one client's open transaction would swallow another's queries).
 * Clients must use a pool of max 1 that keeps its connection (see `EMBEDDED_POOL_OPTIONS`).
 *
 * Left out: authentication and TLS (it listens on 127.0.0.1 only), more than one client.
 */
export interface EmbeddedPostgresOptions {
  /** Keep the data in this folder (created if missing); in memory when omitted. */
  dataDir?: string;
  /** Port on 127.0.0.1 (default 0: any free port). */
  port?: number;
}

export interface EmbeddedPostgres {
  /** postgresql://postgres@127.0.0.1:<port>/postgres */
  readonly url: string;
  /** Stops the server and closes the database (flushing it to dataDir). Idempotent. */
  close(): Promise<void>;
}

/** Pool settings for clients of an embedded server: one connection, never closed while idle. */
export const EMBEDDED_POOL_OPTIONS = { max: 1, idleTimeoutMillis: 0 } as const;

export async function startEmbeddedPostgres(
  options: EmbeddedPostgresOptions = {},
): Promise<EmbeddedPostgres> {
  const [{ PGlite }, { PGLiteSocketServer }] = await Promise.all([
    import('@electric-sql/pglite'),
    import('@electric-sql/pglite-socket'),
  ]);
  const dataDir = options.dataDir === undefined ? undefined : resolve(options.dataDir);
  if (dataDir) await mkdir(dataDir, { recursive: true });
  const db = await PGlite.create(dataDir);
  const server = new PGLiteSocketServer({
    db,
    host: '127.0.0.1',
    port: options.port ?? 0,
    maxConnections: 1,
  });
  try {
    await server.start();
  } catch (error) {
    await db.close();
    throw translateError(error, 'start embedded Postgres');
  }
  let closing: Promise<void> | undefined;
  return {
    url: `postgresql://postgres@${server.getServerConn()}/postgres`,
    close: () => {
      closing ??= server.stop().then(() => db.close());
      return closing;
    },
  };
}
