/**
 * The logging port every lib and app uses. It is the subset of pino's API the project needs, so
 * callers never see pino types and tests can pass any object with these methods.
 *
 * Call shapes: `logger.info('message')` or `logger.info({ taskId, err }, 'message')`. Fields are
 * structured data (they become JSON keys), the message is a constant-ish human sentence. Bindings
 * given to `child` are added to every line that child writes.
 *
 * Left out on purpose: trace/fatal methods (use debug/error), printf-style formatting and
 * level changes at run time.
 */
export interface Logger {
  debug: LogFn;
  info: LogFn;
  warn: LogFn;
  error: LogFn;
  /** A logger that adds `bindings` (e.g. taskId, agentId, traceId) to every line. */
  child(bindings: LogFields): Logger;
}

export interface LogFn {
  (message: string): void;
  (fields: LogFields, message?: string): void;
}

export type LogFields = Record<string, unknown>;

/** Lowest level written; "silent" writes nothing. The same names as the config's logging.level. */
export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent';

/** Where lines go: anything with a `write(line)` (stdout by default). Each call gets one JSON line. */
export interface LogDestination {
  write(line: string): void;
}
