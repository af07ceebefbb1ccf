import { z } from 'zod';
import { parseDuration, parseRate, parseSize } from './units';

/**
 * Leaf validators for the config schema. Each accepts the forms a YAML author (or a `${VAR}`
 * expansion, which always yields a string) naturally writes, and reports a failure as
 * "expected <what>, got <value>" so the loader can prefix the key path. Defaults are given with
 * `.prefault(<yaml value>)`, so they go through the same parsing as written values.
 */

const INVALID = Symbol('invalid');
type Check<T> = (value: unknown) => T | typeof INVALID;

export interface LeafOptions {
  /** Never echo the value in errors (tokens, keys). */
  secret?: boolean;
}

export function leaf<T>(expected: string, check: Check<T>, options: LeafOptions = {}) {
  return z.unknown().transform((value, ctx): T => {
    if (value === undefined) {
      ctx.addIssue({ code: 'custom', message: `is required (expected ${expected})` });
      return z.NEVER;
    }
    const result = check(value);
    if (result === INVALID) {
      ctx.addIssue({
        code: 'custom',
        message: `expected ${expected}, got ${describeValue(value, options.secret)}`,
      });
      return z.NEVER;
    }
    return result;
  });
}

/** How a found value is shown in an error: strings quoted, collections by kind, secrets by length only. */
export function describeValue(value: unknown, secret = false): string {
  if (typeof value === 'string') {
    if (secret) return `a string of ${value.length} characters`;
    return JSON.stringify(value.length > 80 ? `${value.slice(0, 77)}...` : value);
  }
  if (Array.isArray(value)) return 'a list';
  if (value === null) return 'null';
  if (typeof value === 'object') return 'a mapping';
  return String(value);
}

const NUMERIC = /^-?\d+(?:\.\d+)?$/;

function toNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && NUMERIC.test(value.trim())) return Number(value.trim());
  return undefined;
}

export function integer(min: number, max: number) {
  return leaf(`an integer ${min}-${max}`, (value) => {
    const number = toNumber(value);
    return number !== undefined && Number.isInteger(number) && number >= min && number <= max
      ? number
      : INVALID;
  });
}

export function port() {
  return integer(0, 65_535);
}

export function boolean() {
  return leaf('true or false', (value) => {
    if (typeof value === 'boolean') return value;
    if (value === 'true') return true;
    if (value === 'false') return false;
    return INVALID;
  });
}

/** A non-empty string; numbers are accepted and turned into strings (`cpu: 4` means "4"). */
export function text(
  options: LeafOptions & { pattern?: RegExp; expected?: string; maxLength?: number } = {},
) {
  const expected = options.expected ?? 'a non-empty string';
  return leaf(
    expected,
    (value) => {
      const string = typeof value === 'number' && Number.isFinite(value) ? String(value) : value;
      if (typeof string !== 'string' || string.trim() === '') return INVALID;
      if (options.maxLength !== undefined && string.length > options.maxLength) return INVALID;
      if (options.pattern && !options.pattern.test(string)) return INVALID;
      return string;
    },
    options,
  );
}

/** Identifiers that end up in agent registrations: the same rule as the contracts' tokens. */
export function token() {
  return text({
    pattern: /^[A-Za-z0-9][A-Za-z0-9._:-]*$/,
    maxLength: 100,
    expected: 'a name of letters, digits and . _ : - (at most 100 characters)',
  });
}

/**
 * A list of tokens, written as a YAML list or a comma-separated string (handy in env variables);
 * a bad item is reported at its own index.
 */
export function tokenList() {
  const item = /^[A-Za-z0-9][A-Za-z0-9._:-]*$/;
  return z.unknown().transform((value, ctx): string[] => {
    const items =
      typeof value === 'string'
        ? value
            .split(',')
            .map((part) => part.trim())
            .filter((part) => part !== '')
        : Array.isArray(value)
          ? value
          : undefined;
    if (items === undefined) {
      ctx.addIssue({ code: 'custom', message: `expected a list of names, got ${describeValue(value)}` });
      return z.NEVER;
    }
    items.forEach((entry, index) => {
      const string = typeof entry === 'number' ? String(entry) : entry;
      if (typeof string !== 'string' || !item.test(string) || string.length > 100) {
        ctx.addIssue({
          code: 'custom',
          path: [index],
          message: `expected a name of letters, digits and . _ : -, got ${describeValue(entry)}`,
        });
      }
    });
    return items.map(String);
  });
}

/** A list of strings matching `pattern`, as a YAML list or a comma-separated string. */
export function textList(options: { pattern: RegExp; expected: string }) {
  return z.unknown().transform((value, ctx): string[] => {
    const items =
      typeof value === 'string'
        ? value
            .split(',')
            .map((part) => part.trim())
            .filter((part) => part !== '')
        : Array.isArray(value)
          ? value
          : undefined;
    if (items === undefined) {
      ctx.addIssue({ code: 'custom', message: `expected a list, got ${describeValue(value)}` });
      return z.NEVER;
    }
    items.forEach((entry, index) => {
      if (typeof entry !== 'string' || !options.pattern.test(entry)) {
        ctx.addIssue({
          code: 'custom',
          path: [index],
          message: `expected ${options.expected}, got ${describeValue(entry)}`,
        });
      }
    });
    return items.map(String);
  });
}

export function oneOf<const T extends string>(
  values: readonly T[],
  normalize: (input: string) => string = (s) => s,
) {
  return leaf(`one of ${values.join(', ')}`, (value) => {
    if (typeof value !== 'string') return INVALID;
    const normalized = normalize(value.trim());
    return (values as readonly string[]).includes(normalized) ? (normalized as T) : INVALID;
  });
}

export function duration() {
  return leaf('a duration such as 500ms, 5s, 10m, 24h or a number of milliseconds', (value) =>
    nonNull(parseDuration(value)),
  );
}

/** A size in bytes; with `range`, only from `range.min` to `range.max` (written as `range.expected`). */
export function size(range?: { min: number; max: number; expected: string }) {
  if (!range) {
    return leaf('a size such as 512KB, 100MB, 1GiB or a number of bytes', (value) =>
      nonNull(parseSize(value)),
    );
  }
  return leaf(`a size ${range.expected}`, (value) => {
    const bytes = parseSize(value);
    return bytes !== undefined && bytes >= range.min && bytes <= range.max ? bytes : INVALID;
  });
}

/** A size within `min`-`max` bytes; `range` says the bounds in errors, e.g. "1KiB-100MB". */
export function sizeBetween(min: number, max: number, range: string) {
  return leaf(`a size of ${range} such as 1MB, 512KiB or a number of bytes`, (value) => {
    const bytes = parseSize(value);
    return bytes !== undefined && bytes >= min && bytes <= max ? bytes : INVALID;
  });
}

export function rate() {
  return leaf('a rate such as 100/min, 10/s or 500/30s', (value) => nonNull(parseRate(value)));
}

/**
 * A URL whose scheme is one of `schemes` and whose remainder passes `rest` (default: anything).
 * Kept as the string: the adapter factories parse it (STYLE: adapters are chosen by URL scheme).
 */
export function url(
  expected: string,
  schemes: readonly string[],
  rest: (remainder: string, scheme: string) => boolean = () => true,
) {
  return leaf(expected, (value) => {
    if (typeof value !== 'string') return INVALID;
    const match = /^([a-z][a-z0-9+.-]*):\/\/(.*)$/i.exec(value.trim());
    const scheme = match?.[1]?.toLowerCase();
    if (!match || scheme === undefined || !schemes.includes(scheme)) return INVALID;
    return rest(match[2] ?? '', scheme) ? value.trim() : INVALID;
  });
}

/** `host:port` with a DNS name, IPv4 or bracketed IPv6 host (the messaging lib's rule for brokers). */
export function isHostPort(text: string): boolean {
  const match = /^(\[[0-9a-f:.]+\]|[a-z0-9._-]+):(\d{1,5})$/i.exec(text);
  return match !== null && Number(match[2]) <= 65_535;
}

/** `host` or `host:port`, optionally followed by a path. */
export function isHostWithOptionalPort(text: string): boolean {
  const authority = text.replace(/\/.*$/, '');
  return /^(\[[0-9a-f:.]+\]|[a-z0-9._-]+)$/i.test(authority) || isHostPort(authority);
}

function nonNull<T>(value: T | undefined): T | typeof INVALID {
  return value === undefined ? INVALID : value;
}
