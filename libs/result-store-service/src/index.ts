export { ResultStore } from './result-store';
export type { ResultStoreOptions } from './result-store';
