import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { translateError } from './translate-error';

/**
 * Postgres without a server to install: PGlite (Postgres compiled to WebAssembly) served on the
 * Postgres wire protocol by PGLiteSocketServer, so the same `pg` + Prisma code runs against it.
 * Used by the embedded mode (`pglite://` URLs) and tests.
 *
 * PGlite runs in a worker thread of this process: its WebAssembly backend is the most expensive
 * part of the embedded mode (about half of the CPU under load, measured), and on the main thread
 * it would share one core with every service. In the worker it uses a core of its own; the
 * services reach it over loopback TCP exactly as they reach a Postgres server.
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

/** What the worker posts: its address once listening, `closed` after close, or a start error. */
type WorkerMessage =
  | { type: 'listening'; conn: string }
  | { type: 'closed' }
  | { type: 'error'; message: string; code?: string };

// The worker's code. Plain JavaScript (the apps are bundled, so there is no file of ours to
// point a Worker at); the modules come in as absolute URLs resolved by this thread.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
(async () => {
  const [{ PGlite }, { PGLiteSocketServer }] = await Promise.all([
    import(workerData.pgliteUrl),
    import(workerData.socketUrl),
  ]);
  let db;
  let server;
  try {
    db = await PGlite.create(workerData.dataDir);
    server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: workerData.port, maxConnections: 1 });
    await server.start();
  } catch (error) {
    if (db) await db.close().catch(() => undefined);
    parentPort.postMessage({ type: 'error', message: String(error && error.message || error), code: error && error.code });
    return;
  }
  parentPort.on('message', async (message) => {
    if (message !== 'close') return;
    await server.stop().catch(() => undefined);
    await db.close().catch(() => undefined);
    parentPort.postMessage({ type: 'closed' });
    parentPort.close();
  });
  parentPort.postMessage({ type: 'listening', conn: server.getServerConn() });
})().catch((error) => {
  parentPort.postMessage({ type: 'error', message: error instanceof Error ? error.message : String(error) });
});
`;

export async function startEmbeddedPostgres(
  options: EmbeddedPostgresOptions = {},
): Promise<EmbeddedPostgres> {
  const dataDir = options.dataDir === undefined ? undefined : resolve(options.dataDir);
  if (dataDir) await mkdir(dataDir, { recursive: true });
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: {
      pgliteUrl: pathToFileURL(require.resolve('@electric-sql/pglite')).href,
      socketUrl: pathToFileURL(require.resolve('@electric-sql/pglite-socket')).href,
      dataDir,
      port: options.port ?? 0,
    },
  });
  const next = (): Promise<WorkerMessage> =>
    new Promise((resolveMessage, reject) => {
      const onMessage = (message: WorkerMessage) => {
        worker.off('error', onError);
        worker.off('exit', onExit);
        resolveMessage(message);
      };
      const onError = (error: Error) => {
        worker.off('message', onMessage);
        worker.off('exit', onExit);
        reject(error);
      };
      const onExit = (code: number) => onError(new Error(`the PGlite worker exited with code ${code}`));
      worker.once('message', onMessage);
      worker.once('error', onError);
      worker.once('exit', onExit);
    });
  let started: WorkerMessage;
  try {
    started = await next();
  } catch (error) {
    await worker.terminate();
    throw translateError(error, 'start embedded Postgres');
  }
  if (started.type !== 'listening') {
    await worker.terminate();
    const error = Object.assign(
      new Error(started.type === 'error' ? started.message : 'unexpected message'),
      {
        code: started.type === 'error' ? started.code : undefined,
      },
    );
    throw translateError(error, 'start embedded Postgres');
  }
  let closing: Promise<void> | undefined;
  return {
    url: `postgresql://postgres@${started.conn}/postgres`,
    close: () => {
      closing ??= (async () => {
        const closed = next().catch(() => undefined);
        worker.postMessage('close');
        await closed;
        await worker.terminate();
      })();
      return closing;
    },
  };
}
