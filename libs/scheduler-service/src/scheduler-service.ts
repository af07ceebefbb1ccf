import type { Config } from '@contextforge/config';
import {
  topicNames,
  type AgentRegistration,
  type AgentTransport,
  type Discovery,
  type LeaseStore,
  type MessageBus,
  type TaskQueue,
} from '@contextforge/contracts';
import type { Logger, MetricsRegistry } from '@contextforge/observability';
import { Leadership } from '@contextforge/process-kit';
import { JobCoordinator, type JobStore } from './jobs/job-coordinator';
import { Scheduler } from './scheduler';
import { schedulerSettingsFromConfig } from './scheduler-options-from-config';

/** What a scheduler replica runs on; the embedded system and apps/scheduler open them differently. */
export interface SchedulerPorts {
  queue: TaskQueue;
  bus: MessageBus;
  discovery: Discovery;
  transport: AgentTransport;
  /** The result-store, for repository jobs (in-process, or its HTTP client). */
  jobStore: JobStore;
  logger: Logger;
  metrics?: MetricsRegistry;
  /** This replica's unique name. */
  replicaId: string;
  /**
   * Job coordination runs on one replica at a time, elected by these leases (cluster). Without
   * them it runs here, unconditionally (the embedded system is the only replica).
   */
  leases?: LeaseStore;
  /** Called after the scheduler's commits: the process's outbox relay. */
  onCommitted?: () => void;
  /** `coordinator.fallback: local`: an in-process agent for tasks no healthy agent can run. */
  fallback?: AgentRegistration;
}

export interface SchedulerService {
  scheduler: Scheduler;
  /** The job coordinator, while this replica runs it (always, without leases). */
  jobs(): JobCoordinator | undefined;
  /** True while this replica coordinates repository jobs. */
  coordinatesJobs(): boolean;
  start(): Promise<void>;
  /** Stops in reverse order of starting. */
  stop(): Promise<void>;
}

/**
 * One scheduler replica, as both apps/scheduler and the embedded system build it: the Scheduler
 * (every replica dispatches; the queue is in the store) and the JobCoordinator (one replica at a
 * time when `leases` are given).
 */
export function createSchedulerService(config: Config, ports: SchedulerPorts): SchedulerService {
  const topics = topicNames(config.coordinator.queue.topicPrefix);
  const scheduler = new Scheduler({
    ...schedulerSettingsFromConfig(config),
    queue: ports.queue,
    bus: ports.bus,
    discovery: ports.discovery,
    transport: ports.transport,
    topics,
    logger: ports.logger.child({ component: 'scheduler' }),
    replicaId: ports.replicaId,
    ...(ports.fallback ? { fallback: ports.fallback } : {}),
    ...(ports.onCommitted ? { onCommitted: ports.onCommitted } : {}),
    ...(ports.metrics ? { metrics: ports.metrics } : {}),
  });
  let jobs: JobCoordinator | undefined;
  const startJobs = async () => {
    const coordinator = new JobCoordinator({
      bus: ports.bus,
      topics,
      resultStore: ports.jobStore,
      logger: ports.logger.child({ component: 'job-coordinator' }),
    });
    await coordinator.start();
    try {
      await coordinator.recover();
    } catch (error) {
      await coordinator.stop();
      throw error;
    }
    jobs = coordinator;
    return async () => {
      jobs = undefined;
      await coordinator.stop();
    };
  };
  const leadership = ports.leases
    ? new Leadership({
        leases: ports.leases,
        name: 'job-coordinator',
        holder: ports.replicaId,
        ttlMs: config.coordinator.agents.heartbeatTimeout / 2,
        logger: ports.logger.child({ component: 'job-leadership' }),
        lead: startJobs,
      })
    : undefined;
  let stopJobs: (() => Promise<void>) | undefined;
  return {
    scheduler,
    jobs: () => jobs,
    coordinatesJobs: () => jobs !== undefined,
    async start() {
      await scheduler.start();
      if (leadership) leadership.start();
      else stopJobs = await startJobs();
    },
    async stop() {
      await leadership?.stop();
      await stopJobs?.();
      await scheduler.stop();
    },
  };
}
