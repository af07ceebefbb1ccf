import type { Discovery, MessageBus } from '@contextforge/contracts';
import { createDiscovery } from '@contextforge/discovery';
import { createMessageBus } from '@contextforge/messaging';
import type { ServiceContext } from '@contextforge/process-kit';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';

/** Connects the message bus the config names and registers its close with the service. */
export async function openBus(
  { config, logger, onStop, metrics }: ServiceContext,
  clientId: string,
  options: { lingerMs?: number } = {},
): Promise<MessageBus> {
  const { fetchMaxWait, linger } = config.coordinator.queue;
  const bus = await createMessageBus(config.coordinator.queue.url, {
    logger,
    kafka: { clientId, maxWaitTimeMs: fetchMaxWait, lingerMs: options.lingerMs ?? linger },
    ...(metrics ? { metrics } : {}),
  });
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
