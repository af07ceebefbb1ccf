import pino from 'pino';
import type { LogDestination, Logger, LogLevel } from './logger';
import { redactFields } from './redact';
import { traceLogFields } from './tracing/trace-context';

export interface LoggerOptions {
  /** Written on every line as `service`. */
  service: string;
  /** Default "info". */
  level?: LogLevel;
  /** Default: stdout. */
  destination?: LogDestination;
}

/**
 * A JSON-lines logger: `{"level":"info","time":"<ISO 8601>","service":"...",...fields,"msg":"..."}`.
 * A line written inside a span (see startTracing) also has its `trace_id` and `span_id`.
 * Secret-looking fields (see redactFields) are replaced by "[Redacted]" in both log fields and
 * child bindings; `err` holding an Error is serialized with its type, message and stack.
 */
export function createLogger(options: LoggerOptions): Logger {
  const settings: pino.LoggerOptions = {
    level: options.level ?? 'info',
    base: { service: options.service },
    timestamp: pino.stdTimeFunctions.isoTime,
    mixin: traceLogFields,
    formatters: {
      level: (label) => ({ level: label }),
      log: (fields) => redactFields(fields),
    },
  };
  return adapt(options.destination ? pino(settings, options.destination) : pino(settings));
}

// pino applies no formatter to child bindings, so they are redacted here, once per child.
function adapt(instance: pino.Logger): Logger {
  return {
    debug: instance.debug.bind(instance),
    info: instance.info.bind(instance),
    warn: instance.warn.bind(instance),
    error: instance.error.bind(instance),
    child: (bindings) => adapt(instance.child(redactFields(bindings))),
  };
}
