/**
 * Parsers for the human-friendly values the YAML uses. Each returns `undefined` for input it does
 * not accept (the caller reports what was expected), never throws and never reads anything else.
 */

/** A request rate: at most `limit` events per `windowMs` milliseconds. */
export interface Rate {
  readonly limit: number;
  readonly windowMs: number;
}

const DURATION_UNITS_MS: Record<string, number> = {
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

const DURATION_PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/g;
const DURATION = /^(?:\d+(?:\.\d+)?(?:ms|s|m|h|d))+$/;
const PLAIN_NUMBER = /^\d+(?:\.\d+)?$/;

/**
 * `"100ms"`, `"5s"`, `"10m"`, `"24h"`, `"1d"`, compounds like `"1h30m"`, or a number (or numeric
 * string) of milliseconds -> whole milliseconds. Negative values are rejected.
 */
export function parseDuration(value: unknown): number | undefined {
  if (typeof value === 'number') return nonNegativeWhole(value);
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  if (PLAIN_NUMBER.test(text)) return nonNegativeWhole(Number(text));
  if (!DURATION.test(text)) return undefined;
  let total = 0;
  for (const [, amount, unit] of text.matchAll(DURATION_PART)) {
    total += Number(amount) * (DURATION_UNITS_MS[unit as string] ?? Number.NaN);
  }
  return nonNegativeWhole(total);
}

// SI units are powers of 1000 and IEC units (KiB, Ki) powers of 1024, as in Kubernetes quantities.
const SIZE_UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  k: 1e3,
  kb: 1e3,
  m: 1e6,
  mb: 1e6,
  g: 1e9,
  gb: 1e9,
  t: 1e12,
  tb: 1e12,
  ki: 2 ** 10,
  kib: 2 ** 10,
  mi: 2 ** 20,
  mib: 2 ** 20,
  gi: 2 ** 30,
  gib: 2 ** 30,
  ti: 2 ** 40,
  tib: 2 ** 40,
};

const SIZE = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i;

/**
 * `"100MB"` (10^8), `"1KiB"` (1024), `"8Gi"`, `"512"`, or a number of bytes -> whole bytes.
 * Unit letters are case-insensitive; `KB`/`K` are decimal, `KiB`/`Ki` binary.
 */
export function parseSize(value: unknown): number | undefined {
  if (typeof value === 'number') return nonNegativeWhole(value);
  if (typeof value !== 'string') return undefined;
  const match = SIZE.exec(value.trim());
  if (!match) return undefined;
  const factor = SIZE_UNITS[(match[2] ?? '').toLowerCase()];
  if (factor === undefined) return undefined;
  return nonNegativeWhole(Number(match[1]) * factor);
}

const RATE_WINDOWS_MS: Record<string, number> = {
  ms: 1,
  s: 1_000,
  sec: 1_000,
  second: 1_000,
  m: 60_000,
  min: 60_000,
  minute: 60_000,
  h: 3_600_000,
  hour: 3_600_000,
  d: 86_400_000,
  day: 86_400_000,
};

const RATE = /^(\d+)\s*\/\s*(.+)$/;

/**
 * `"100/min"`, `"10/s"`, `"1000/hour"`, or a window that is itself a duration (`"500/30s"`) ->
 * `{ limit, windowMs }`. The limit is a positive integer and the window longer than zero.
 */
export function parseRate(value: unknown): Rate | undefined {
  if (typeof value !== 'string') return undefined;
  const match = RATE.exec(value.trim());
  if (!match) return undefined;
  const limit = Number(match[1]);
  const window = (match[2] ?? '').trim().toLowerCase();
  const windowMs =
    RATE_WINDOWS_MS[window] ?? RATE_WINDOWS_MS[window.replace(/s$/, '')] ?? parseDuration(window);
  if (!Number.isSafeInteger(limit) || limit < 1 || windowMs === undefined || windowMs <= 0) return undefined;
  // A bare number after the slash would be read as milliseconds, which nobody means in a rate.
  if (PLAIN_NUMBER.test(window)) return undefined;
  return { limit, windowMs };
}

function nonNegativeWhole(value: number): number | undefined {
  if (!Number.isFinite(value) || value < 0) return undefined;
  const whole = Math.round(value);
  return Number.isSafeInteger(whole) ? whole : undefined;
}
