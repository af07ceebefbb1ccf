/**
 * The environment the bench starts product processes from: this process's, without anything
 * that configures ContextForge (CONTEXTFORGE_*, CONTEXTFORGE__*, and the shorthand variables
 * libs/config reads), so a developer's shell settings cannot change what is measured. Each start
 * then sets exactly what it needs.
 */
export function cleanProductEnv(env: NodeJS.ProcessEnv = process.env): Record<string, string | undefined> {
  const shorthands = new Set([
    'PORT',
    'DATABASE_URL',
    'KAFKA_BROKERS',
    'CONSUL_HTTP_ADDR',
    'CONSUL_HTTP_TOKEN',
    'LOG_LEVEL',
    'JWT_SECRET',
  ]);
  return Object.fromEntries(
    Object.entries(env).filter(([name]) => !name.startsWith('CONTEXTFORGE') && !shorthands.has(name)),
  );
}

/**
 * Limits raised for a load test from one address and one client; the limits themselves have
 * tests of their own (docs/adr/0009: benchmarks raise them through configuration).
 */
export const BENCH_LIMITS_ENV: Record<string, string> = {
  CONTEXTFORGE__NETWORK__RATE_LIMITING__PER_IP: '10000000/min',
  CONTEXTFORGE__NETWORK__RATE_LIMITING__PER_CLIENT: '10000000/min',
  CONTEXTFORGE__NETWORK__RATE_LIMITING__PER_AGENT: '10000000/min',
  CONTEXTFORGE__NETWORK__LIMITS__MAX_CONNECTIONS_PER_IP: '10000',
};
