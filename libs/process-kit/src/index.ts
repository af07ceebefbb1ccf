export { runService } from './run-service';
export type { RunServiceOptions, ServiceContext } from './run-service';
