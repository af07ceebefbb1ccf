import { MemoryRateLimitStore, rateLimitByIp, type RateLimitByIpOptions } from '../src';
import { serveApp, type ServedApp } from './support/serve-app';

const PER_MINUTE = { limit: 100, windowMs: 60_000 };

describe('rateLimitByIp over HTTP', () => {
  let served: ServedApp | undefined;
  afterEach(() => served?.close());

  async function serve(options: Partial<RateLimitByIpOptions> = {}) {
    // Time stands still: however slowly this machine sends 101 requests, none earns a unit back.
    const store = new MemoryRateLimitStore({ clock: () => 0 });
    served = await serveApp((app) => {
      app.use(rateLimitByIp({ store, rate: PER_MINUTE, ...options }));
      app.get('/ping', (_req, res) => void res.json({ pong: true }));
    });
    return served.url;
  }

  const get = (url: string, forwardedFor?: string) =>
    fetch(`${url}/ping`, forwardedFor ? { headers: { 'x-forwarded-for': forwardedFor } } : {});

  it('answers the 101st request in a minute with 429, Retry-After and the common error shape', async () => {
    const url = await serve();
    for (let i = 1; i <= 100; i += 1) {
      const ok = await get(url);
      expect(ok.status).toBe(200);
      expect(ok.headers.get('ratelimit-limit')).toBe('100');
      expect(ok.headers.get('ratelimit-remaining')).toBe(String(100 - i));
      await ok.arrayBuffer();
    }
    const refused = await get(url);
    expect(refused.status).toBe(429);
    // One unit comes back every 600 ms: Retry-After is that, rounded up to whole seconds.
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(refused.headers.get('ratelimit-remaining')).toBe('0');
    expect(refused.headers.get('ratelimit-reset')).toBe('60');
    expect(refused.headers.get('ratelimit-policy')).toBe('100;w=60');
    await expect(refused.json()).resolves.toEqual({
      error: {
        code: 'RATE_LIMITED',
        message: expect.stringContaining('too many requests from 127.0.0.1'),
        details: { retryAfterMs: 600, limit: 100, windowMs: 60_000 },
      },
    });
  });

  it('behind one trusted proxy, limits a client however it rotates spoofed X-Forwarded-For entries', async () => {
    const url = await serve({ trustedProxies: 1 });
    const statuses: number[] = [];
    for (let i = 0; i < 101; i += 1) {
      // The client writes the left part; the proxy (this test's connection) appends the real address.
      const response = await get(url, `198.51.100.${i % 250}, 10.9.${i}.1, 203.0.113.7`);
      statuses.push(response.status);
      await response.arrayBuffer();
    }
    expect(statuses.slice(0, 100).every((status) => status === 200)).toBe(true);
    expect(statuses[100]).toBe(429);
    // Another client behind the same proxy has its own allowance.
    expect((await get(url, '203.0.113.8')).status).toBe(200);
  });

  it('without trusted proxies, ignores X-Forwarded-For entirely', async () => {
    const url = await serve({ trustedProxies: 0 });
    const statuses: number[] = [];
    for (let i = 0; i < 101; i += 1) {
      const response = await get(url, `203.0.113.${i % 250}`);
      statuses.push(response.status);
      await response.arrayBuffer();
    }
    expect(statuses.filter((status) => status === 200)).toHaveLength(100);
    expect(statuses[100]).toBe(429);
  });

  it('passes a store failure on instead of letting the request through', async () => {
    const failing = { hit: () => Promise.reject(new Error('store down')), close: () => Promise.resolve() };
    served = await serveApp((app) => {
      app.use(rateLimitByIp({ store: failing, rate: PER_MINUTE }));
      app.get('/ping', (_req, res) => void res.json({ pong: true }));
    });
    const response = await get(served.url);
    expect(response.status).toBe(500);
    await expect(response.json()).resolves.toMatchObject({ error: { code: 'INTERNAL' } });
  });
});
