export { openBus, openDiscovery, replicaId } from './open-adapters';
