import { loadConfig } from '@contextforge/config';
import { createSilentLogger } from '@contextforge/observability';
import { startEmbeddedSystem, type EmbeddedSystem } from '../../src/embedded-system';

/**
 * The embedded system on a free port with silent logs and PGlite in memory. The drain is short so
 * that a task a test leaves running does not hold up the shutdown for the default 30 s.
 */
export function startTestSystem(env: Record<string, string> = {}): Promise<EmbeddedSystem> {
  const config = loadConfig({
    env: {
      PORT: '0',
      CONTEXTFORGE__COORDINATOR__HOST: '127.0.0.1',
      DATABASE_URL: 'pglite://memory',
      CONTEXTFORGE__AGENT__DRAIN_TIMEOUT: '200ms',
      ...env,
    },
  });
  return startEmbeddedSystem(config, { logger: createSilentLogger() });
}
