export { createLogger } from './create-logger';
export type { LoggerOptions } from './create-logger';
export type { LogDestination, LogFields, LogFn, LogLevel, Logger } from './logger';
export { REDACTED, isSecretKey, redactFields } from './redact';
export { createSilentLogger } from './silent-logger';
export {
  AGENT_STATUS_LABELS,
  CIRCUIT_STATES,
  MetricsRegistry,
  createMetricsRegistry,
} from './metrics-registry';
export type { MetricsRegistryOptions, ScrapeCollector } from './metrics-registry';
export { TRACER_NAME, startSpan, startSpanFrom, withSpan } from './tracing/spans';
export type { SpanAttributes, SpanHandle, SpanKindName, SpanOptions } from './tracing/spans';
export { startTracing, tracesExportConfigured } from './tracing/start-tracing';
export type { Tracing, TracingOptions } from './tracing/start-tracing';
export {
  runWithRemoteContext,
  traceLogFields,
  traceparentOf,
  withTraceHeaders,
} from './tracing/trace-context';
export type { IncomingHeaders } from './tracing/trace-context';
export { isTracing } from './tracing/tracing-state';
