import { DEFAULT_TOPIC_PREFIX } from '@contextforge/contracts';
import { boolean, duration, integer, isHostPort, oneOf, port, sizeBetween, text, url } from '../fields';
import type { LoadBalancingStrategy, QueueType } from '../config-types';
import { section, withoutUndefined } from './section';

const STRATEGIES: readonly LoadBalancingStrategy[] = ['round_robin', 'least_connections', 'weighted'];
const QUEUE_TYPES: readonly QueueType[] = ['memory', 'kafka'];

/** Bus URLs: the schemes libs/messaging's createMessageBus understands. */
const busUrl = () =>
  url('memory:// or kafka://host:port[,host:port]', ['memory', 'kafka'], (rest, scheme) =>
    scheme === 'memory'
      ? true
      : rest
          .replace(/\/$/, '')
          .split(',')
          .every((broker) => isHostPort(broker.trim())),
  );

export const coordinatorSection = section({
  port: port().prefault(8080),
  host: text().prefault('0.0.0.0'),
  grpc: section({
    enabled: boolean().prefault(true),
    port: port().prefault(9090),
  }),
  agents: section({
    health_check_interval: duration().prefault('5s'),
    health_check_timeout: duration().prefault('3s'),
    max_failures: integer(1, 100).prefault(3),
    heartbeat_timeout: duration().prefault('30s'),
  }),
  load_balancing: section({
    // The seed spells it "round-robin" in places; both spellings mean the same strategy.
    strategy: oneOf(STRATEGIES, (value) => value.toLowerCase().replaceAll('-', '_')).prefault('round_robin'),
    timeout: duration().prefault('30s'),
  }),
  queue: section({
    type: oneOf(QUEUE_TYPES).optional(),
    url: busUrl().prefault('memory://'),
    prefetch_count: integer(1, 10_000).prefault(10),
    topic_prefix: text({
      pattern: /^[A-Za-z0-9._-]+$/,
      maxLength: 100,
      expected: 'a topic prefix of letters, digits and . _ - (at most 100 characters)',
    }).prefault(DEFAULT_TOPIC_PREFIX),
    client_id: text({ maxLength: 200 }).optional(),
    fetch_max_wait: duration().prefault('100ms'),
    linger: duration().prefault('5ms'),
    partitions: integer(1, 10_000).prefault(4),
    replication_factor: integer(1, 32).prefault(1),
    create_topics: boolean().prefault(true),
    idempotent: boolean().prefault(true),
    // Kafka's default message.max.bytes is 1,048,588; 1MB (10^6) stays below it.
    max_message_bytes: sizeBetween(1_024, 100_000_000, '1KiB-100MB').prefault('1MB'),
  }),
  // `local`: with no healthy agent able to run a task, the scheduler runs it in its own process.
  fallback: oneOf(['none', 'local'] as const).prefault('none'),
  retry: section({
    max_attempts: integer(1, 100).prefault(3),
    initial_delay: duration().prefault('200ms'),
    max_delay: duration().prefault('30s'),
  }),
})
  .superRefine((coordinator, ctx) => {
    const scheme = schemeOf(coordinator.queue.url);
    if (coordinator.queue.type !== undefined && coordinator.queue.type !== scheme) {
      ctx.addIssue({
        code: 'custom',
        path: ['queue', 'type'],
        message: `expected "${scheme}" to match queue.url ${coordinator.queue.url}, got "${coordinator.queue.type}"`,
      });
    }
    if (coordinator.retry.initial_delay > coordinator.retry.max_delay) {
      ctx.addIssue({
        code: 'custom',
        path: ['retry', 'initial_delay'],
        message: `expected at most retry.max_delay (${coordinator.retry.max_delay} ms), got ${coordinator.retry.initial_delay} ms`,
      });
    }
  })
  .transform((coordinator) => ({
    port: coordinator.port,
    host: coordinator.host,
    grpc: { enabled: coordinator.grpc.enabled, port: coordinator.grpc.port },
    agents: {
      healthCheckInterval: coordinator.agents.health_check_interval,
      healthCheckTimeout: coordinator.agents.health_check_timeout,
      maxFailures: coordinator.agents.max_failures,
      heartbeatTimeout: coordinator.agents.heartbeat_timeout,
    },
    loadBalancing: {
      strategy: coordinator.load_balancing.strategy,
      timeout: coordinator.load_balancing.timeout,
    },
    queue: withoutUndefined({
      type: schemeOf(coordinator.queue.url),
      url: coordinator.queue.url,
      prefetchCount: coordinator.queue.prefetch_count,
      topicPrefix: coordinator.queue.topic_prefix,
      clientId: coordinator.queue.client_id,
      fetchMaxWait: coordinator.queue.fetch_max_wait,
      linger: coordinator.queue.linger,
      partitions: coordinator.queue.partitions,
      replicationFactor: coordinator.queue.replication_factor,
      createTopics: coordinator.queue.create_topics,
      idempotent: coordinator.queue.idempotent,
      maxMessageBytes: coordinator.queue.max_message_bytes,
    }),
    fallback: coordinator.fallback,
    retry: {
      maxAttempts: coordinator.retry.max_attempts,
      initialDelay: coordinator.retry.initial_delay,
      maxDelay: coordinator.retry.max_delay,
    },
  }));

function schemeOf(busUrl: string): QueueType {
  return busUrl.toLowerCase().startsWith('kafka:') ? 'kafka' : 'memory';
}
