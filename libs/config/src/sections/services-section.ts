import { integer, isHostWithOptionalPort, port, size, text, url } from '../fields';
import { discoveryUrl } from './agent-section';
import { section, withoutUndefined } from './section';

export const registrySection = section({
  url: discoveryUrl().prefault('memory://'),
  service_name: text({
    pattern: /^[A-Za-z0-9][A-Za-z0-9-]*$/,
    maxLength: 100,
    expected: 'a Consul service name of letters, digits and - (at most 100 characters)',
  }).prefault('contextforge-agent'),
  acl_token: text({ secret: true }).optional(),
  port: port().prefault(8082),
  api_url: url('an http:// or https:// URL', ['http', 'https'], isHostWithOptionalPort).optional(),
}).transform((registry) =>
  withoutUndefined({
    url: registry.url,
    serviceName: registry.service_name,
    aclToken: registry.acl_token,
    port: registry.port,
    apiUrl: registry.api_url ?? `http://127.0.0.1:${registry.port}`,
  }),
);

/** Database URLs: the schemes libs/persistence's createTaskRepository understands. */
const databaseUrl = () =>
  url(
    'pglite://memory, pglite://<directory>, postgres://... or postgresql://...',
    ['pglite', 'postgres', 'postgresql'],
    (rest) => rest.trim() !== '',
  );

export const databaseSection = section({
  url: databaseUrl().prefault('pglite://memory'),
  pool_max: integer(1, 1000).prefault(10),
}).transform((database) => ({ url: database.url, poolMax: database.pool_max }));

export const schedulerSection = section({ port: port().prefault(8083) });

export const resultStoreSection = section({
  port: port().prefault(8084),
  url: url('an http:// or https:// URL', ['http', 'https'], isHostWithOptionalPort).optional(),
}).transform((resultStore) => ({
  port: resultStore.port,
  url: resultStore.url ?? `http://127.0.0.1:${resultStore.port}`,
}));

export const embeddedSection = section({ agents: integer(0, 256).prefault(4) });

/**
 * At most 256 KiB: a task-changes message carries at most an input and an output of this size
 * next to small fields, which stays well under Kafka's default limit of 1 MB per message.
 */
export const MAX_INLINE_LIMIT_BYTES = 256 * 1024;

export const payloadsSection = section({
  inline_limit: size({
    min: 1024,
    max: MAX_INLINE_LIMIT_BYTES,
    expected: 'from 1KiB to 256KiB such as 64KiB, or a number of bytes',
  }).prefault('64KiB'),
}).transform((payloads) => ({ inlineLimit: payloads.inline_limit }));
