export { Scheduler } from './scheduler';
export { canRun } from './agent-pool';
export type { SchedulerOptions } from './scheduler';
export { PriorityQueue } from './priority-queue';
export { LeastConnectionsStrategy, RoundRobinStrategy, WeightedStrategy, createStrategy } from './strategies';
export type { Candidate, Strategy, StrategyName } from './strategies';
export { schedulerSettingsFromConfig } from './scheduler-options-from-config';
export { recoverTasks } from './recover-tasks';
