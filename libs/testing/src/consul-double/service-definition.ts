import { CHECK_STATUSES, type CheckStatus, type NewService } from './catalog-store';
import { parseGoDuration } from './go-duration';
import { ConsulHttpError, field } from './http-kit';

const META_KEY = /^[a-zA-Z0-9_-]+$/;
const bad = (message: string): ConsulHttpError => new ConsulHttpError(400, message);

/**
 * Turns the body of PUT /v1/agent/service/register into a service, with Consul's defaults and
 * validation messages: ID defaults to Name; a single `Check` gets CheckID "service:<ID>", each of
 * `Checks` "service:<ID>:<n>"; a check starts critical unless Status says otherwise; Meta follows
 * Consul's limits (64 pairs, keys of [a-zA-Z0-9_-] up to 128 chars, values up to 512, no "consul-"
 * prefix).
 *
 * Left out: non-TTL checks (HTTP/TCP/script/gRPC run probes the double does not run: rejected with
 * 400), Connect/proxy fields, TaggedAddresses, namespaces and partitions.
 */
export function parseServiceDefinition(body: Record<string, unknown>): NewService {
  const name = field(body, 'Name');
  if (name === undefined || name === '') throw bad('Missing service name');
  if (typeof name !== 'string') throw bad('Request decode failed: Name must be a string');
  const id = optionalString(body, 'ID') || name;
  const address = optionalString(body, 'Address');
  if (address === '0.0.0.0' || address === '::' || address === '[::]') throw bad('Invalid service address');

  const port = field(body, 'Port') ?? 0;
  if (typeof port !== 'number' || !Number.isInteger(port))
    throw bad('Request decode failed: Port must be an integer');

  const tags = field(body, 'Tags') ?? [];
  if (!Array.isArray(tags) || tags.some((tag) => typeof tag !== 'string')) {
    throw bad('Request decode failed: Tags must be a list of strings');
  }
  const meta = parseMeta(field(body, 'Meta') ?? {});

  const single = field(body, 'Check');
  const many = field(body, 'Checks');
  const checkBodies = Array.isArray(many) ? many : single ? [single] : [];
  const checks = checkBodies.map((check, index) =>
    parseCheck(
      check,
      name,
      checkBodies.length === 1 && !Array.isArray(many) ? `service:${id}` : `service:${id}:${index + 1}`,
    ),
  );

  const weights = field(body, 'Weights') as { Passing?: unknown; Warning?: unknown } | undefined;
  return {
    id,
    name,
    tags: tags as string[],
    meta,
    address,
    port,
    enableTagOverride: field(body, 'EnableTagOverride') === true,
    weights: {
      Passing: typeof weights?.Passing === 'number' ? weights.Passing : 1,
      Warning: typeof weights?.Warning === 'number' ? weights.Warning : 1,
    },
    checks,
  };
}

function optionalString(body: Record<string, unknown>, name: string): string {
  const value = field(body, name) ?? '';
  if (typeof value !== 'string') throw bad(`Request decode failed: ${name} must be a string`);
  return value;
}

function parseMeta(meta: unknown): Record<string, string> {
  if (typeof meta !== 'object' || meta === null || Array.isArray(meta)) {
    throw bad('Request decode failed: Meta must be an object of strings');
  }
  const entries = Object.entries(meta);
  if (entries.length > 64)
    throw bad('Invalid Service Meta: Node metadata cannot contain more than 64 key/value pairs');
  for (const [key, value] of entries) {
    if (typeof value !== 'string') throw bad('Request decode failed: Meta must be an object of strings');
    if (key === '') throw bad('Invalid Service Meta: Key cannot be blank');
    if (key.length > 128) throw bad(`Invalid Service Meta: Key is too long (limit: 128 characters)`);
    if (!META_KEY.test(key)) throw bad(`Invalid Service Meta: Key contains invalid characters`);
    if (key.startsWith('consul-'))
      throw bad(`Invalid Service Meta: Key prefix 'consul-' is reserved for internal use`);
    if (value.length > 512) throw bad(`Invalid Service Meta: Value is too long (limit: 512 characters)`);
  }
  return meta as Record<string, string>;
}

function parseCheck(raw: unknown, serviceName: string, defaultId: string): NewService['checks'][number] {
  if (typeof raw !== 'object' || raw === null) throw bad('Request decode failed: Check must be an object');
  const check = raw as Record<string, unknown>;
  const status = field(check, 'Status') ?? '';
  if (status !== '' && !CHECK_STATUSES.includes(status as CheckStatus)) {
    throw bad("Status for checks must 'passing', 'warning', 'critical'");
  }
  const ttlMs = parseGoDuration(field(check, 'TTL'));
  if (ttlMs === undefined || ttlMs <= 0) {
    throw bad(
      'Must provide TTL or Script/DockerContainerID/HTTP/TCP and Interval (the double supports TTL checks only)',
    );
  }
  const deregisterRaw = field(check, 'DeregisterCriticalServiceAfter');
  const deregisterAfterMs =
    deregisterRaw === undefined || deregisterRaw === '' ? null : parseGoDuration(deregisterRaw);
  if (deregisterAfterMs === undefined)
    throw bad('Request decode failed: invalid DeregisterCriticalServiceAfter');
  const checkId = field(check, 'CheckID') ?? field(check, 'ID');
  const checkName = field(check, 'Name');
  const notes = field(check, 'Notes');
  return {
    checkId: typeof checkId === 'string' && checkId !== '' ? checkId : defaultId,
    name: typeof checkName === 'string' && checkName !== '' ? checkName : `Service '${serviceName}' check`,
    status: status === '' ? 'critical' : (status as CheckStatus),
    notes: typeof notes === 'string' ? notes : '',
    ttlMs,
    deregisterAfterMs,
  };
}
