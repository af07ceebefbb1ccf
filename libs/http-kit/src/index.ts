export { errorHandler, methodNotAllowed, requireJson, routeNotFound, sendError } from './express-errors';
export type { ErrorBody } from './express-errors';
export { fetchJson } from './fetch-json';
export type { FetchJsonOptions } from './fetch-json';
export { HttpResultStoreClient, resultStoreRouter } from './internal-result-store';
export { HttpRegistryClient, registryRouter } from './internal-registry';
export { createServiceApp, listen } from './service-app';
export type { ServiceAppOptions } from './service-app';
export { HttpLeaseStore, leaseRouter } from './internal-leases';
