const UNIT_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  μs: 1e-3,
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
};

/**
 * Parses a Go `time.Duration` string ("10s", "1m30s", "250ms", "1.5h") into milliseconds, the
 * format Consul accepts for TTL, DeregisterCriticalServiceAfter and `wait`. A JSON number is taken
 * as nanoseconds, as Go decodes it. Returns undefined when the value is not a duration.
 */
export function parseGoDuration(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value / 1e6 : undefined;
  if (typeof value !== 'string' || value === '') return undefined;
  if (value === '0') return 0;
  const sign = value.startsWith('-') ? -1 : 1;
  let rest = value.replace(/^[-+]/, '');
  let total = 0;
  while (rest.length > 0) {
    const match = /^(\d+\.?\d*|\.\d+)(ns|us|µs|μs|ms|s|m|h)/.exec(rest);
    const amount = match?.[1];
    const unit = match?.[2];
    if (!match || amount === undefined || unit === undefined) return undefined;
    total += Number(amount) * (UNIT_MS[unit] ?? Number.NaN);
    rest = rest.slice(match[0].length);
  }
  return Number.isFinite(total) ? sign * total : undefined;
}
