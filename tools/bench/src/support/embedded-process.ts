import { ContextForgeClient } from '@contextforge/client';
import { ProcessCluster, findFreePorts } from '@contextforge/testing';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BENCH_LIMITS_ENV, cleanProductEnv } from './bench-env';

export interface EmbeddedProcessOptions {
  /** Repository root (the bundle is `<rootDir>/dist/apps/embedded/main.js`). */
  rootDir: string;
  /** Extra variables (CONTEXTFORGE__SECTION__KEY=...), applied last. */
  env?: Record<string, string>;
  /** Longest wait for the gateway's /readyz (default 180 s: PGlite starts slowly on a busy machine). */
  readyTimeoutMs?: number;
}

export interface EmbeddedProcess {
  url: string;
  /** A client with the development client token this process generated. */
  client: ContextForgeClient;
  /** The process's working directory: its credentials file and `logs/embedded.log`. */
  workDir: string;
  /** Stops the process; removes the working directory unless `keepFiles` (to read the log). */
  stop(options?: { keepFiles?: boolean }): Promise<void>;
}

/**
 * `node dist/apps/embedded/main.js` as its own process, the way `npm start` runs it: the default
 * embedded stack (PGlite in memory, memory bus and registry, local agents) and development
 * credentials, but in a fresh temp working directory whose credentials file the bench reads, so
 * the user's .contextforge/credentials.json is never touched. Free ports, rate limits raised.
 */
export async function startEmbeddedProcess(options: EmbeddedProcessOptions): Promise<EmbeddedProcess> {
  const workDir = mkdtempSync(join(tmpdir(), 'contextforge-bench-embedded-'));
  const credentialsFile = join(workDir, 'credentials.json');
  const processes = new ProcessCluster({
    logDir: join(workDir, 'logs'),
    baseEnv: cleanProductEnv(),
    readyTimeoutMs: options.readyTimeoutMs ?? 180_000,
  });
  const stop = async ({ keepFiles = false } = {}) => {
    await processes.stopAll();
    if (!keepFiles) rmSync(workDir, { recursive: true, force: true });
  };
  try {
    const [port] = await findFreePorts(1);
    const url = `http://127.0.0.1:${port}`;
    await processes.start({
      name: 'embedded',
      command: process.execPath,
      args: ['--enable-source-maps', join(options.rootDir, 'dist', 'apps', 'embedded', 'main.js')],
      cwd: workDir,
      env: {
        PORT: String(port),
        LOG_LEVEL: 'warn',
        CONTEXTFORGE__COORDINATOR__HOST: '127.0.0.1',
        CONTEXTFORGE__COORDINATOR__GRPC__PORT: '0',
        CONTEXTFORGE__SECURITY__CREDENTIALS_FILE: credentialsFile,
        ...BENCH_LIMITS_ENV,
        ...options.env,
      },
      readyUrl: `${url}/readyz`,
    });
    const { clientToken } = JSON.parse(readFileSync(credentialsFile, 'utf8')) as { clientToken: string };
    return { url, client: new ContextForgeClient({ baseUrl: url, token: clientToken }), workDir, stop };
  } catch (error) {
    await stop({ keepFiles: true });
    throw error;
  }
}
