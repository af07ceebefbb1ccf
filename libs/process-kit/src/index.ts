export { runService } from './run-service';
export type { RunServiceOptions, ServiceContext, StartedServiceContext } from './run-service';
export { Leadership } from './leadership';
export type { LeadershipOptions } from './leadership';
