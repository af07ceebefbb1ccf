export { ResultStore } from './result-store';
export { MAX_TASK_EVENTS_PAGE } from './result-store';
export type { ResultStoreOptions } from './result-store';
