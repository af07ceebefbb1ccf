/** What a redacted value is replaced with. */
export const REDACTED = '[Redacted]';

// Key names are compared lower-cased with "-" and "_" removed, so apiKey, api_key and X-Api-Key
// are one name. A key is secret when it is one of EXACT or ends with one of SUFFIXES
// (jwtSecret, dbPassword, aclToken, secret_key): over-redacting a field is the safer mistake.
const EXACT = new Set(['authorization', 'proxyauthorization', 'cookie', 'setcookie']);
const SUFFIXES = [
  'password',
  'passwd',
  'secret',
  'secretkey',
  'token',
  'apikey',
  'privatekey',
  'credentials',
];

export function isSecretKey(key: string): boolean {
  const normalized = key.toLowerCase().replace(/[-_]/g, '');
  return EXACT.has(normalized) || SUFFIXES.some((suffix) => normalized.endsWith(suffix));
}

const MAX_DEPTH = 8;

/**
 * A copy of `fields` with the value of every secret-looking key replaced by REDACTED, at any depth
 * of plain objects and arrays. Other objects (Errors, Dates, Buffers) are kept as they are for the
 * serializers; values below MAX_DEPTH and repeated references are kept too (pino handles cycles).
 * Returns `fields` itself when nothing needed redacting, so the common case does not allocate.
 */
export function redactFields<T>(fields: T): T {
  return redactValue(fields, 0, new Set()) as T;
}

function redactValue(value: unknown, depth: number, seen: Set<object>): unknown {
  if (depth > MAX_DEPTH || typeof value !== 'object' || value === null || seen.has(value)) return value;
  if (Array.isArray(value)) {
    seen.add(value);
    const items = value.map((item: unknown) => redactValue(item, depth + 1, seen));
    seen.delete(value);
    return items.every((item, index) => item === value[index]) ? value : items;
  }
  const prototype: unknown = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) return value;
  seen.add(value);
  let changed = false;
  const copy: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) {
    const next = isSecretKey(key) && child !== undefined ? REDACTED : redactValue(child, depth + 1, seen);
    if (next !== child) changed = true;
    copy[key] = next;
  }
  seen.delete(value);
  return changed ? copy : value;
}
