/**
 * Task inputs, outputs, errors and event payloads are stored as JSON (jsonb). Every adapter passes
 * them through the same JSON round trip so that the memory adapter hands back exactly what the SQL
 * adapters would: `undefined` becomes null (at the top) or disappears (inside objects), Dates
 * become ISO strings, class instances become plain objects.
 */
export function toJsonValue(value: unknown): unknown {
  if (value === undefined) return null;
  const text = JSON.stringify(value) as string | undefined;
  return text === undefined ? null : (JSON.parse(text) as unknown);
}

/**
 * Structural equality of two JSON values, ignoring object key order (jsonb does not keep it).
 * Both sides should have been through `toJsonValue`.
 */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((item, index) => sameJson(item, b[index]));
  }
  const left = a as Record<string, unknown>;
  const right = b as Record<string, unknown>;
  const keys = Object.keys(left);
  if (keys.length !== Object.keys(right).length) return false;
  return keys.every((key) => Object.hasOwn(right, key) && sameJson(left[key], right[key]));
}
