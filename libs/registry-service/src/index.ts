export { Registry, agentStatusOf, toAgent } from './registry';
export type { RegistryOptions } from './registry';
