import { duration, integer, port, text, token, tokenList, url, isHostWithOptionalPort } from '../fields';
import { section, withoutUndefined } from './section';

/** Discovery URLs: the schemes libs/discovery's createDiscovery understands. */
export const discoveryUrl = () =>
  url(
    'memory://[name], consul://host[:port] or consul+https://host[:port]',
    ['memory', 'consul', 'consul+https'],
    (rest, scheme) => scheme === 'memory' || isHostWithOptionalPort(rest),
  );

const resource = () =>
  text({ maxLength: 20, expected: 'a quantity such as "4" or "8Gi" (at most 20 characters)' });

export const agentSection = section({
  id: token().optional(),
  name: text({ maxLength: 200 }).optional(),
  type: token().prefault('general'),
  capabilities: tokenList().prefault([]),
  task_types: tokenList().prefault(['echo', 'sleep']),
  resources: section({
    cpu: resource().optional(),
    memory: resource().optional(),
    disk: resource().optional(),
  }),
  endpoint: url('an http:// or https:// URL', ['http', 'https'], isHostWithOptionalPort).optional(),
  weight: integer(1, 1000).prefault(1),
  concurrency: integer(1, 10_000).prefault(10),
  port: port().prefault(8001),
  registry: section({
    // Unset: filled from the top-level registry.url once both are parsed (see config-schema).
    url: discoveryUrl().optional(),
    heartbeat_interval: duration().prefault('5s'),
    ttl: duration().prefault('30s'),
    deregister_critical_after: duration().prefault('10m'),
  }),
  drain_timeout: duration().prefault('30s'),
}).transform((agent) =>
  withoutUndefined({
    id: agent.id,
    name: agent.name,
    type: agent.type,
    capabilities: agent.capabilities,
    taskTypes: agent.task_types,
    resources: withoutUndefined(agent.resources),
    endpoint: agent.endpoint,
    weight: agent.weight,
    concurrency: agent.concurrency,
    port: agent.port,
    registry: {
      url: agent.registry.url,
      heartbeatInterval: agent.registry.heartbeat_interval,
      ttl: agent.registry.ttl,
      deregisterCriticalAfter: agent.registry.deregister_critical_after,
    },
    drainTimeout: agent.drain_timeout,
  }),
);
