import { ProcessCluster, findFreePorts } from '@contextforge/testing';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '../../../..');

export interface RunningEmbedded {
  url: string;
  /** The development credentials the app wrote at start (security.credentials_file). */
  clientToken: string;
  adminToken: string;
  /** Where the app's stdout and stderr go. */
  logPath: string;
  stop(): Promise<void>;
}

/**
 * `node dist/apps/embedded/main.js` (bundled by the globalSetup) as its own process, exactly as
 * `npm start` runs it, with two local agents, PGlite in memory and a scratch working directory;
 * ready once GET /readyz answers 200.
 */
export async function startEmbeddedProcess(): Promise<RunningEmbedded> {
  const [port = 0, grpcPort = 0] = await findFreePorts(2);
  const scratch = mkdtempSync(join(tmpdir(), 'cf-dashboard-e2e-'));
  const credentialsFile = join(scratch, 'credentials.json');
  const cluster = new ProcessCluster({
    logDir: scratch,
    baseEnv: { PATH: process.env['PATH'], HOME: scratch, KAFKAJS_NO_PARTITIONER_WARNING: '1' },
  });
  await cluster.start({
    name: 'embedded',
    command: process.execPath,
    args: [join(ROOT, 'dist', 'apps', 'embedded', 'main.js')],
    cwd: scratch,
    env: {
      PORT: String(port),
      CONTEXTFORGE__COORDINATOR__HOST: '127.0.0.1',
      CONTEXTFORGE__COORDINATOR__GRPC__PORT: String(grpcPort),
      CONTEXTFORGE__EMBEDDED__AGENTS: '2',
      DATABASE_URL: 'pglite://memory',
      CONTEXTFORGE__AGENT__DRAIN_TIMEOUT: '200ms',
      CONTEXTFORGE__SECURITY__CREDENTIALS_FILE: credentialsFile,
    },
    readyUrl: `http://127.0.0.1:${port}/readyz`,
  });
  const credentials = JSON.parse(readFileSync(credentialsFile, 'utf8')) as {
    clientToken: string;
    adminToken: string;
  };
  return {
    url: `http://127.0.0.1:${port}`,
    clientToken: credentials.clientToken,
    adminToken: credentials.adminToken,
    logPath: cluster.logPath('embedded'),
    stop: () => cluster.stopAll(),
  };
}
