import Consul from 'consul';
import { ConsulApiDouble } from './consul-api-double';

/**
 * The `consul` npm client (what ContextForge's adapter uses) against the double: what it sends
 * must be understood, and what the double answers must decode the way the client expects.
 */
describe('ConsulApiDouble with the consul npm client', () => {
  let double: ConsulApiDouble;
  let client: Consul;
  beforeEach(async () => {
    double = await ConsulApiDouble.start({ token: 't0ken' });
    client = new Consul({ host: double.host, port: double.port, defaults: { token: 't0ken' } });
  });
  afterEach(async () => {
    client.destroy();
    await double.stop();
  });

  it('registers a TTL service, passes its check with a note and reads it back from health', async () => {
    await client.agent.service.register({
      name: 'api',
      id: 'api-1',
      tags: ['x'],
      meta: { k: 'v' },
      check: {
        name: 'api ttl',
        ttl: '10s',
        timeout: '1s',
        status: 'warning',
        deregistercriticalserviceafter: '1m',
      },
    });
    await client.agent.check.pass({ id: 'service:api-1', note: 'all good' });
    const entries = (await client.health.service({ service: 'api', passing: true })) as Array<{
      Service: { ID: string; Meta: Record<string, string> };
      Checks: Array<{ CheckID: string; Output: string }>;
    }>;
    expect(entries.map((entry) => entry.Service.ID)).toEqual(['api-1']);
    expect(entries[0]?.Service.Meta).toEqual({ k: 'v' });
    expect(entries[0]?.Checks.find((check) => check.CheckID === 'service:api-1')?.Output).toBe('all good');
    expect(await client.agent.service.list()).toHaveProperty('api-1');
  });

  it('surfaces Consul errors the way the client reports them: status and text reason', async () => {
    const failure = await client.agent.check.fail({ id: 'service:missing' }).catch((error: unknown) => error);
    expect(failure).toMatchObject({
      isResponse: true,
      response: expect.objectContaining({ statusCode: 404 }),
    });
    const anonymous = new Consul({ host: double.host, port: double.port });
    try {
      await expect(anonymous.agent.service.register({ name: 'api' })).rejects.toMatchObject({
        response: expect.objectContaining({ statusCode: 403 }),
      });
    } finally {
      anonymous.destroy();
    }
  });

  it('round-trips KV values through set/get (base64 decoded by the client), recurse and delete', async () => {
    expect(await client.kv.set('cfg/a', 'alpha')).toBe(true);
    expect(await client.kv.set({ key: 'cfg/b', value: 'beta', cas: 0 })).toBe(true);
    // Consul answers `false`; this client turns a false body into undefined.
    expect(await client.kv.set({ key: 'cfg/b', value: 'again', cas: 0 })).not.toBe(true);
    expect(await client.kv.get('cfg/b')).toMatchObject({ Value: 'beta' });
    expect(await client.kv.get('cfg/a')).toMatchObject({ Key: 'cfg/a', Value: 'alpha' });
    const all = (await client.kv.get({ key: 'cfg/', recurse: true })) as Array<{
      Key: string;
      Value: string;
    }>;
    expect(all.map((entry) => [entry.Key, entry.Value])).toEqual([
      ['cfg/a', 'alpha'],
      ['cfg/b', 'beta'],
    ]);
    await client.kv.del({ key: 'cfg/', recurse: true });
    expect(await client.kv.get('cfg/a')).toBeUndefined();
  });

  it("drives the client's blocking-query watch: the first answer, then a change", async () => {
    const watch = client.watch({ method: client.kv.get, options: { key: 'flag', wait: '10s' } });
    const values: unknown[] = [];
    const seen = new Promise<void>((resolve, reject) => {
      watch.on('error', reject);
      watch.on('change', (data: { Value?: string } | undefined) => {
        values.push(data?.Value);
        if (data?.Value === 'on') resolve();
      });
    });
    try {
      await client.kv.set('flag', 'off');
      await client.kv.set('flag', 'on');
      await seen;
      expect(values.at(-1)).toBe('on');
    } finally {
      watch.end();
    }
  });
});
