import type { Logger } from './logger';

const noop = (): void => undefined;

/** A Logger that writes nothing, for tests and for code that was given no logger. */
export function createSilentLogger(): Logger {
  const logger: Logger = { debug: noop, info: noop, warn: noop, error: noop, child: () => logger };
  return logger;
}
