import type { TaskView } from '@contextforge/contracts';
import { deferred } from '@contextforge/testing';
import { loadConfig } from '@contextforge/config';
import { createSilentLogger } from '@contextforge/observability';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedSystem, type EmbeddedOverrides, type EmbeddedSystem } from '../../src/embedded-system';

/**
 * The embedded system on a free port with silent logs and PGlite in memory. The drain is short so
 * that a task a test leaves running does not hold up the shutdown for the default 30 s. Development
 * credentials go to a temporary file; the request limits are raised because the tests send
 * hundreds of requests from one address (the limits have tests of their own in libs/edge and
 * apps/embedded/test/edge-limits.test.ts).
 */
export function startTestSystem(
  env: Record<string, string> = {},
  overrides: Omit<EmbeddedOverrides, 'logger'> = {},
): Promise<EmbeddedSystem> {
  const config = loadConfig({
    env: {
      PORT: '0',
      CONTEXTFORGE__COORDINATOR__HOST: '127.0.0.1',
      CONTEXTFORGE__COORDINATOR__GRPC__PORT: '0',
      DATABASE_URL: 'pglite://memory',
      CONTEXTFORGE__AGENT__DRAIN_TIMEOUT: '200ms',
      CONTEXTFORGE__SECURITY__CREDENTIALS_FILE: join(
        mkdtempSync(join(tmpdir(), 'cf-credentials-')),
        'credentials.json',
      ),
      CONTEXTFORGE__NETWORK__RATE_LIMITING__PER_IP: '1000000/min',
      CONTEXTFORGE__NETWORK__RATE_LIMITING__PER_CLIENT: '1000000/min',
      CONTEXTFORGE__NETWORK__LIMITS__MAX_CONNECTIONS_PER_IP: '10000',
      ...env,
    },
  });
  return startEmbeddedSystem(config, { ...overrides, logger: createSilentLogger() });
}

/** `fetch` against the system's gateway with its development client token (or `token`). */
export function gatewayFetch(system: EmbeddedSystem, token?: string) {
  const bearer = token ?? system.credentials?.clientToken;
  if (bearer === undefined) throw new Error('the system has no development credentials');
  return (path: string, init: RequestInit = {}): Promise<Response> =>
    fetch(`${system.url}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${bearer}`, ...(init.headers as Record<string, string> | undefined) },
    });
}

/**
 * Resolves with the first task change the system's result-store makes that satisfies `predicate`
 * (subscribe before causing the change, so nothing is missed).
 */
export function taskChange(
  system: EmbeddedSystem,
  predicate: (task: TaskView) => boolean,
): Promise<TaskView> {
  const seen = deferred<TaskView>();
  const unsubscribe = system.onTaskChanged((task) => {
    if (predicate(task)) seen.resolve(task);
  });
  return seen.promise.finally(unsubscribe);
}
