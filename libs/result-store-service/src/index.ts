export { ResultStore } from './result-store';
export { MAX_TASK_EVENTS_PAGE } from './result-store';
export type { ResultStoreOptions } from './result-store';
export { createResultStoreService } from './result-store-service';
export type { ResultStorePorts, ResultStoreService } from './result-store-service';
