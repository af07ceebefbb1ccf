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
