export { MemoryDiscovery } from './memory-discovery';
export type { MemoryDiscoveryOptions } from './memory-discovery';
export { createDiscovery } from './create-discovery';
export type { CreateDiscoveryOptions } from './create-discovery';
export { ConsulDiscovery } from './consul/consul-discovery';
export type { ConsulDiscoveryOptions } from './consul/consul-discovery-options';
