export { busOptionsFromConfig, openBus, openDiscovery, replicaId } from './open-adapters';
export { openTls } from './open-tls';
