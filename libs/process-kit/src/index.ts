export { runService } from './run-service';
export type { RunServiceOptions, ServiceContext } from './run-service';
export { Leadership } from './leadership';
export type { LeadershipOptions } from './leadership';
