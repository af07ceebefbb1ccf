import type { Config } from '@contextforge/config';
import type { Discovery, MessageBus } from '@contextforge/contracts';
import { createDiscovery } from '@contextforge/discovery';
import { busTopics, createMessageBus, type MessageBusOptions } from '@contextforge/messaging';
import type { ServiceContext } from '@contextforge/process-kit';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';

/**
 * The bus options `coordinator.queue` configures (one place, for every app and the embedded
 * system): topics, their partitions and replication, whether to create them, idempotence, the
 * message size limit, fetch wait and linger.
 */
export function busOptionsFromConfig(
  config: Config,
  clientId: string,
  extra: Pick<MessageBusOptions, 'logger' | 'metrics'> & { lingerMs?: number } = {},
): MessageBusOptions {
  const queue = config.coordinator.queue;
  return {
    ...(extra.logger ? { logger: extra.logger } : {}),
    ...(extra.metrics ? { metrics: extra.metrics } : {}),
    maxMessageBytes: queue.maxMessageBytes,
    kafka: {
      clientId,
      maxWaitTimeMs: queue.fetchMaxWait,
      lingerMs: extra.lingerMs ?? queue.linger,
      topics: busTopics(queue.topicPrefix),
      createTopics: queue.createTopics,
      partitions: queue.partitions,
      replicationFactor: queue.replicationFactor,
      idempotent: queue.idempotent,
    },
  };
}

/** Connects the message bus the config names and registers its close with the service. */
export async function openBus(
  { config, logger, onStop, metrics }: ServiceContext,
  clientId: string,
  options: { lingerMs?: number } = {},
): Promise<MessageBus> {
  const bus = await createMessageBus(
    config.coordinator.queue.url,
    busOptionsFromConfig(config, clientId, {
      logger,
      ...(metrics ? { metrics } : {}),
      ...(options.lingerMs === undefined ? {} : { lingerMs: options.lingerMs }),
    }),
  );
  await bus.connect();
  onStop(() => bus.close());
  return bus;
}

/**
 * Connects discovery (`registry.url`, or `agent.registry.url` for agents) and registers its close.
 */
export async function openDiscovery(
  { config, onStop }: ServiceContext,
  url: string = config.registry.url,
): Promise<Discovery> {
  const discovery = await createDiscovery(url, {
    serviceName: config.registry.serviceName,
    ttlMs: config.agent.registry.ttl,
    deregisterCriticalAfterMs: config.agent.registry.deregisterCriticalAfter,
    ...(config.registry.aclToken ? { aclToken: config.registry.aclToken } : {}),
  });
  await discovery.connect();
  onStop(() => discovery.close());
  return discovery;
}

/** A name for this process that is unique across replicas (lease holder, Kafka client id). */
export function replicaId(service: string): string {
  return `${service}-${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
}
