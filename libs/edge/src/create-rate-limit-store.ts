import { AppError } from '@contextforge/contracts';
import { MemoryRateLimitStore } from './memory-rate-limit-store';
import { PostgresRateLimitStore } from './postgres-rate-limit-store';
import type { RateLimitStore } from './rate-limit-store';

/**
 * The rate-limit store for `network.rate_limiting.store`: `memory://` (limits of this process) or
 * `postgres://` / `postgresql://` (limits shared by every replica using that database; an
 * optional `?schema=name` picks the schema of the table, default `public`). Connected on return.
 */
export async function createRateLimitStore(url: string): Promise<RateLimitStore> {
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(url)?.[1]?.toLowerCase();
  if (scheme === 'memory') return new MemoryRateLimitStore();
  if (scheme === 'postgres' || scheme === 'postgresql') {
    const parsed = new URL(url);
    const schema = parsed.searchParams.get('schema') ?? undefined;
    parsed.searchParams.delete('schema');
    const store = new PostgresRateLimitStore({ url: parsed.toString(), ...(schema ? { schema } : {}) });
    await store.connect();
    return store;
  }
  throw new AppError(
    'CONFIG_INVALID',
    `network.rate_limiting.store: expected memory:// or postgres://..., got ${JSON.stringify(redact(url))}`,
  );
}

function redact(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//***@');
}
