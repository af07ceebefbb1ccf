export { ConfigError } from './config-error';
export type { ConfigIssue } from './config-error';
export type {
  AgentConfig,
  AgentRegistryConfig,
  Config,
  CoordinatorConfig,
  DatabaseConfig,
  EmbeddedConfig,
  LoadBalancingStrategy,
  LogLevel,
  LoggingConfig,
  NetworkConfig,
  PayloadsConfig,
  QueueType,
  RegistryConfig,
  ResultStoreConfig,
  SchedulerConfig,
  SecurityConfig,
} from './config-types';
export { ENV_OVERRIDES, GENERIC_ENV_PREFIX } from './env-overrides';
export { interpolateString } from './interpolate';
export type { EnvRecord, InterpolationResult } from './interpolate';
export { loadConfig } from './load-config';
export type { LoadConfigOptions } from './load-config';
export { CONFIG_FILE_ENV, loadConfigFromProcess, readConfigFile } from './load-config-from-process';
export type { ProcessContext } from './load-config-from-process';
export { parseDuration, parseRate, parseSize } from './units';
export type { Rate } from './units';
