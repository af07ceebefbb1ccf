import type { Config } from '@contextforge/config';
import { topicNames, type MessageBus, type TaskView } from '@contextforge/contracts';
import type { Logger, MetricsRegistry } from '@contextforge/observability';
import { OutboxRelay, type TaskStore } from '@contextforge/persistence';
import { ResultStore } from './result-store';

/** What the result-store runs on; the embedded system shares the store with its scheduler. */
export interface ResultStorePorts {
  store: TaskStore;
  bus: MessageBus;
  logger: Logger;
  metrics?: MetricsRegistry;
  /**
   * Called with every task any writer of the store changed (the embedded system's in-process
   * listeners), as the outbox relay publishes the change: the result-store's and the scheduler's.
   */
  onTasksChanged?: (tasks: readonly TaskView[]) => void;
}

export interface ResultStoreService {
  resultStore: ResultStore;
  /**
   * The relay of this process's outbox. Anything else in the process that writes task state (the
   * embedded scheduler) kicks it after its commits.
   */
  relay: OutboxRelay;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The result-store as apps/result-store and the embedded system both build it: the ResultStore
 * (submissions, the task-events consumer, reads) and the relay that publishes its outbox.
 */
export function createResultStoreService(config: Config, ports: ResultStorePorts): ResultStoreService {
  const topics = topicNames(config.coordinator.queue.topicPrefix);
  const relay = new OutboxRelay({
    queue: ports.store,
    bus: ports.bus,
    topic: topics.taskChanges,
    logger: ports.logger.child({ component: 'outbox-relay' }),
    ...(ports.onTasksChanged
      ? { onRelayed: (changes) => ports.onTasksChanged?.(changes.map((change) => change.task)) }
      : {}),
  });
  const resultStore = new ResultStore({
    repository: ports.store,
    bus: ports.bus,
    topics,
    logger: ports.logger.child({ component: 'result-store' }),
    onCommitted: () => relay.kick(),
    eventPartitions: config.coordinator.queue.partitions,
    ...(ports.metrics ? { metrics: ports.metrics } : {}),
  });
  return {
    resultStore,
    relay,
    async start() {
      relay.start();
      await resultStore.start();
    },
    async stop() {
      await resultStore.stop();
      await relay.stop();
    },
  };
}
