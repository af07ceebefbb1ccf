import { parse as parseYaml } from 'yaml';
import type { ConfigIssue } from './config-error';
import { isPlainObject, type EnvRecord } from './interpolate';

/**
 * The environment variables that override the file, applied in this order (later wins):
 *  1. the well-known variables below, each mapped to one key;
 *  2. `CONTEXTFORGE__SECTION__KEY=value`: `__` separates nesting levels, names are lower-cased
 *     (`CONTEXTFORGE__COORDINATOR__LOAD_BALANCING__STRATEGY` -> coordinator.load_balancing.strategy);
 *     the value is read as a YAML scalar (`8080` a number, `true` a boolean, `[a, b]` a list,
 *     anything else a string).
 * Empty variables are treated as unset. Override values are taken literally (no `${...}` expansion).
 * `CONTEXTFORGE_CONFIG` (one underscore) names the config file; see loadConfigFromProcess.
 */
export const ENV_OVERRIDES: ReadonlyArray<{ variable: string; key: string; description: string }> = [
  { variable: 'PORT', key: 'coordinator.port', description: 'gateway port' },
  { variable: 'DATABASE_URL', key: 'database.url', description: 'postgres://... or pglite://...' },
  {
    variable: 'KAFKA_BROKERS',
    key: 'coordinator.queue.url',
    description:
      'comma-separated host:port list; sets coordinator.queue.url to kafka://<list> and type to kafka',
  },
  {
    variable: 'CONSUL_HTTP_ADDR',
    key: 'registry.url',
    description: 'host:port, http://host:port or https://host:port; becomes consul:// or consul+https://',
  },
  { variable: 'CONSUL_HTTP_TOKEN', key: 'registry.acl_token', description: 'Consul ACL token' },
  {
    variable: 'LOG_LEVEL',
    key: 'logging.level',
    description: 'trace, debug, info, warn, error, fatal or silent',
  },
  {
    variable: 'JWT_SECRET',
    key: 'security.authentication.secret_key',
    description: 'HMAC secret for client JWTs (at least 32 characters)',
  },
];

export const GENERIC_ENV_PREFIX = 'CONTEXTFORGE__';

export interface EnvOverrideResult {
  tree: Record<string, unknown>;
  /** Key path (`a.b.c`) -> the variable that set it, so errors can say where a bad value came from. */
  sources: Map<string, string>;
  issues: ConfigIssue[];
}

/** Returns a copy of `tree` with the environment overrides applied; `tree` is not modified. */
export function applyEnvOverrides(tree: Record<string, unknown>, env: EnvRecord): EnvOverrideResult {
  const result: EnvOverrideResult = { tree: structuredClone(tree), sources: new Map(), issues: [] };
  const set = (path: string[], value: unknown, variable: string) => setPath(result, path, value, variable);
  const read = (name: string): string | undefined => {
    const value = env[name];
    return value === undefined || value.trim() === '' ? undefined : value.trim();
  };

  const port = read('PORT');
  if (port !== undefined) set(['coordinator', 'port'], scalar(port), 'PORT');
  const databaseUrl = read('DATABASE_URL');
  if (databaseUrl !== undefined) set(['database', 'url'], databaseUrl, 'DATABASE_URL');
  const brokers = read('KAFKA_BROKERS');
  if (brokers !== undefined) {
    const list = brokers.split(',').map((broker) => broker.trim());
    set(['coordinator', 'queue', 'url'], `kafka://${list.join(',')}`, 'KAFKA_BROKERS');
    set(['coordinator', 'queue', 'type'], 'kafka', 'KAFKA_BROKERS');
  }
  const consulAddress = read('CONSUL_HTTP_ADDR');
  if (consulAddress !== undefined) set(['registry', 'url'], consulUrl(consulAddress), 'CONSUL_HTTP_ADDR');
  const consulToken = read('CONSUL_HTTP_TOKEN');
  if (consulToken !== undefined) set(['registry', 'acl_token'], consulToken, 'CONSUL_HTTP_TOKEN');
  const logLevel = read('LOG_LEVEL');
  if (logLevel !== undefined) set(['logging', 'level'], logLevel.toLowerCase(), 'LOG_LEVEL');
  const jwtSecret = read('JWT_SECRET');
  if (jwtSecret !== undefined) set(['security', 'authentication', 'secret_key'], jwtSecret, 'JWT_SECRET');

  const generic = Object.keys(env)
    .filter((name) => name.startsWith(GENERIC_ENV_PREFIX))
    .sort();
  for (const name of generic) {
    const value = read(name);
    if (value === undefined) continue;
    const path = name.slice(GENERIC_ENV_PREFIX.length).toLowerCase().split('__');
    if (path.some((segment) => segment === '')) {
      result.issues.push({
        path: '',
        message: `environment variable ${name}: expected ${GENERIC_ENV_PREFIX}SECTION__KEY with no empty segment`,
      });
      continue;
    }
    set(path, scalar(value), name);
  }
  return result;
}

/** `consul.internal:8500` or `http://...` -> `consul://...`; `https://...` -> `consul+https://...`. */
function consulUrl(address: string): string {
  const match = /^(https?):\/\/(.*)$/i.exec(address);
  if (!match) return `consul://${address}`;
  return `${match[1]?.toLowerCase() === 'https' ? 'consul+https' : 'consul'}://${match[2] ?? ''}`;
}

/** A YAML scalar or flow collection (`[a, b]`, `{k: v}`); anything else stays the raw string. */
function scalar(text: string): unknown {
  try {
    const parsed: unknown = parseYaml(text);
    if (parsed === null || parsed === undefined) return text;
    if (typeof parsed === 'object' && !/^[[{]/.test(text)) return text;
    return parsed;
  } catch {
    return text;
  }
}

function setPath(result: EnvOverrideResult, path: string[], value: unknown, variable: string): void {
  let node = result.tree;
  for (const [depth, segment] of path.slice(0, -1).entries()) {
    const child = node[segment];
    if (child === undefined || child === null) {
      node = node[segment] = {};
    } else if (isPlainObject(child)) {
      node = child;
    } else {
      const at = path.slice(0, depth + 1).join('.');
      result.issues.push({ path: at, message: `cannot apply ${variable}: ${at} is not a mapping` });
      return;
    }
  }
  const last = path[path.length - 1] as string;
  node[last] = value;
  result.sources.set(path.join('.'), variable);
}
