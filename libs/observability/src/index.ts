export { createLogger } from './create-logger';
export type { LoggerOptions } from './create-logger';
export type { LogDestination, LogFields, LogFn, LogLevel, Logger } from './logger';
export { REDACTED, isSecretKey, redactFields } from './redact';
export { createSilentLogger } from './silent-logger';
