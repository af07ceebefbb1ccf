export { Registry, agentStatusOf, toAgent } from './registry';
export type { RegistryOptions } from './registry';
export { ActiveHealthChecker } from './active-health-checker';
export type { ActiveHealthCheckerOptions } from './active-health-checker';
