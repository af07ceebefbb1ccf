import { ConsulApiDouble } from './consul-api-double';
import { waitFor } from './wait-for';

/** Raw HTTP against the double, so these tests pin the wire format, not a client's view of it. */
class Http {
  constructor(
    private readonly double: ConsulApiDouble,
    private readonly token?: string,
  ) {}

  async request(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
    const response = await fetch(`${this.double.url}${path}`, {
      method,
      headers: { ...(this.token ? { 'X-Consul-Token': this.token } : {}), ...headers },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    const text = await response.text();
    const isJson = (response.headers.get('content-type') ?? '').startsWith('application/json');
    return {
      status: response.status,
      headers: response.headers,
      text,
      json: (isJson ? JSON.parse(text) : undefined) as unknown,
      index: Number(response.headers.get('x-consul-index')),
    };
  }

  get = (path: string) => this.request('GET', path);
  put = (path: string, body?: unknown) => this.request('PUT', path, body);
  del = (path: string) => this.request('DELETE', path);
}

const ttlService = (id: string, extra: Record<string, unknown> = {}) => ({
  ID: id,
  Name: 'web',
  Tags: ['primary', 'v1'],
  Meta: { version: '1.0' },
  Address: '10.0.0.5',
  Port: 8080,
  Check: { TTL: '30s', DeregisterCriticalServiceAfter: '10m', ...extra },
});

describe('ConsulApiDouble: agent, health and catalog JSON', () => {
  let double: ConsulApiDouble;
  let http: Http;
  beforeEach(async () => {
    double = await ConsulApiDouble.start();
    http = new Http(double);
  });
  afterEach(() => double.stop());

  it('registers a service whose TTL check starts critical, under Consul default ids and names', async () => {
    expect((await http.put('/v1/agent/service/register', ttlService('web-1'))).status).toBe(200);

    const services = await http.get('/v1/agent/services');
    expect(services.json).toEqual({
      'web-1': expect.objectContaining({
        ID: 'web-1',
        Service: 'web',
        Tags: ['primary', 'v1'],
        Meta: { version: '1.0' },
        Address: '10.0.0.5',
        Port: 8080,
        Weights: { Passing: 1, Warning: 1 },
        EnableTagOverride: false,
      }),
    });

    const health = await http.get('/v1/health/service/web');
    expect(health.status).toBe(200);
    expect(health.index).toBeGreaterThan(0);
    expect(health.json).toEqual([
      {
        Node: expect.objectContaining({ Node: 'consul-api-double', Address: '127.0.0.1', Datacenter: 'dc1' }),
        Service: expect.objectContaining({
          ID: 'web-1',
          Service: 'web',
          Tags: ['primary', 'v1'],
          Port: 8080,
        }),
        Checks: [
          expect.objectContaining({
            CheckID: 'serfHealth',
            Name: 'Serf Health Status',
            Status: 'passing',
            ServiceID: '',
          }),
          expect.objectContaining({
            CheckID: 'service:web-1',
            Name: "Service 'web' check",
            Status: 'critical',
            ServiceID: 'web-1',
            ServiceName: 'web',
            ServiceTags: ['primary', 'v1'],
            Type: 'ttl',
          }),
        ],
      },
    ]);
  });

  it('numbers several checks service:<id>:<n> and keeps an explicit CheckID and Status', async () => {
    const body = {
      ...ttlService('web-2'),
      Check: undefined,
      Checks: [{ TTL: '5s' }, { TTL: '5s', CheckID: 'mine', Status: 'passing' }],
    };
    await http.put('/v1/agent/service/register', body);
    const [entry] = (await http.get('/v1/health/service/web')).json as Array<{
      Checks: Array<Record<string, unknown>>;
    }>;
    expect(entry?.Checks.map((check) => [check['CheckID'], check['Status']])).toEqual([
      ['serfHealth', 'passing'],
      ['service:web-2:1', 'critical'],
      ['mine', 'passing'],
    ]);
  });

  it('updates TTL checks with pass/warn/fail (?note) and update (body), and filters ?passing', async () => {
    await http.put('/v1/agent/service/register', ttlService('a', { Status: 'passing' }));
    await http.put('/v1/agent/service/register', ttlService('b', { Status: 'passing' }));
    expect((await http.put('/v1/agent/check/warn/service:b?note=draining')).status).toBe(200);

    const passing = (await http.get('/v1/health/service/web?passing')).json as Array<{
      Service: { ID: string };
    }>;
    expect(passing.map((entry) => entry.Service.ID)).toEqual(['a']);
    const all = (await http.get('/v1/health/service/web')).json as Array<{
      Checks: Array<Record<string, unknown>>;
    }>;
    expect(all[1]?.Checks[1]).toMatchObject({ Status: 'warning', Output: 'draining' });

    await http.put('/v1/agent/check/update/service:a', { Status: 'critical', Output: 'disk full' });
    await http.put('/v1/agent/check/pass/service:b');
    const after = (await http.get('/v1/health/service/web')).json as Array<{
      Checks: Array<Record<string, unknown>>;
    }>;
    expect(after.map((entry) => [entry.Checks[1]?.['Status'], entry.Checks[1]?.['Output']])).toEqual([
      ['critical', 'disk full'],
      ['passing', ''],
    ]);
    expect((await http.put('/v1/agent/check/update/service:a', { Status: 'bogus' })).status).toBe(400);
  });

  it('answers unknown ids, bad bodies, methods and paths as Consul does', async () => {
    const unknownCheck = await http.put('/v1/agent/check/pass/service:nope');
    expect(unknownCheck.status).toBe(404);
    expect(unknownCheck.text).toBe(
      'Unknown check ID "service:nope". Ensure that the check ID is passed, not the check name.',
    );
    expect(unknownCheck.headers.get('content-type')).toMatch(/^text\/plain/);
    expect((await http.put('/v1/agent/service/deregister/nope')).status).toBe(404);
    expect(await http.put('/v1/agent/service/register', { ID: 'x' })).toMatchObject({
      status: 400,
      text: 'Missing service name',
    });
    expect((await http.put('/v1/agent/service/register', '{not json')).status).toBe(400);
    expect(
      (await http.put('/v1/agent/service/register', { Name: 'x', Meta: { 'bad key': 'v' } })).status,
    ).toBe(400);
    expect(
      (
        await http.put('/v1/agent/service/register', {
          Name: 'x',
          Check: { HTTP: 'http://x', Interval: '10s' },
        })
      ).status,
    ).toBe(400);
    const wrongMethod = await http.get('/v1/agent/service/register');
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toBe('PUT');
    expect((await http.get('/v1/nothing/here')).status).toBe(404);
  });

  it('lists the catalog: services with their tags, and one service per instance', async () => {
    await http.put('/v1/agent/service/register', ttlService('web-1'));
    await http.put('/v1/agent/service/register', { ...ttlService('web-2'), Tags: ['canary'] });
    await http.put('/v1/agent/service/register', { ...ttlService('db-1'), Name: 'db', Tags: [] });

    expect((await http.get('/v1/catalog/services')).json).toEqual({
      web: ['canary', 'primary', 'v1'],
      db: [],
    });
    const instances = (await http.get('/v1/catalog/service/web?tag=canary')).json as Array<
      Record<string, unknown>
    >;
    expect(instances).toEqual([
      expect.objectContaining({
        Node: 'consul-api-double',
        ServiceID: 'web-2',
        ServiceName: 'web',
        ServiceTags: ['canary'],
        ServiceAddress: '10.0.0.5',
        ServicePort: 8080,
        ServiceMeta: { version: '1.0' },
      }),
    ]);
    await http.put('/v1/agent/service/deregister/web-2');
    expect((await http.get('/v1/catalog/service/web')).json).toHaveLength(1);
  });
});

describe('ConsulApiDouble: blocking queries, TTL expiry and reaping', () => {
  let double: ConsulApiDouble;
  let http: Http;
  beforeEach(async () => {
    double = await ConsulApiDouble.start({ reapIntervalMs: 25, minDeregisterCriticalServiceAfterMs: 0 });
    http = new Http(double);
  });
  afterEach(() => double.stop());

  it('holds a query at the current index until a change, then answers with a higher index', async () => {
    await http.put('/v1/agent/service/register', ttlService('web-1'));
    const first = await http.get('/v1/health/service/web');

    const blocked = http.get(`/v1/health/service/web?index=${first.index}&wait=10s`);
    await waitFor(() => double.blockedQueries === 1, { timeoutMs: 2_000, label: 'the query to park' });
    await http.put('/v1/agent/service/register', ttlService('web-2'));

    const answer = await blocked;
    expect(answer.index).toBeGreaterThan(first.index);
    expect((answer.json as unknown[]).length).toBe(2);
  });

  it('answers at wait expiry with the same index when nothing changed', async () => {
    await http.put('/v1/agent/service/register', ttlService('web-1'));
    const first = await http.get('/v1/health/service/web');
    const started = performance.now();

    const answer = await http.get(`/v1/health/service/web?index=${first.index}&wait=300ms`);
    const elapsed = performance.now() - started;
    expect(answer.index).toBe(first.index);
    expect(elapsed).toBeGreaterThanOrEqual(295);
    expect(elapsed).toBeLessThan(300 * (17 / 16) + 500);
  });

  it('does not wake a query for a heartbeat that changes nothing, only for one that does', async () => {
    await http.put('/v1/agent/service/register', ttlService('web-1', { Status: 'passing' }));
    const first = await http.get('/v1/health/service/web');
    await http.put('/v1/agent/check/pass/service:web-1');
    expect((await http.get('/v1/health/service/web')).index).toBe(first.index);
    await http.put('/v1/agent/check/warn/service:web-1?note=draining');
    expect((await http.get('/v1/health/service/web')).index).toBeGreaterThan(first.index);
  });

  it('turns a TTL check critical with "TTL expired" when no update arrives in time', async () => {
    // The TTL runs from registration, so the clock starts before the register call; libuv rounds timers
    // to whole milliseconds, hence the 1 ms of slack.
    const registered = performance.now();
    await http.put('/v1/agent/service/register', ttlService('web-1', { TTL: '200ms', Status: 'passing' }));
    const first = await http.get('/v1/health/service/web');

    const answer = await http.get(`/v1/health/service/web?index=${first.index}&wait=5s`);
    expect(performance.now() - registered).toBeGreaterThanOrEqual(199);
    const [entry] = answer.json as Array<{ Checks: Array<Record<string, unknown>> }>;
    expect(entry?.Checks[1]).toMatchObject({ Status: 'critical', Output: 'TTL expired' });
  });

  it('reaps a service critical for longer than DeregisterCriticalServiceAfter', async () => {
    const started = performance.now();
    await http.put(
      '/v1/agent/service/register',
      ttlService('web-1', { TTL: '100ms', DeregisterCriticalServiceAfter: '150ms', Status: 'passing' }),
    );
    let index = (await http.get('/v1/health/service/web')).index;
    const deadline = performance.now() + 5_000;
    let entries: unknown[] = [{}];
    while (entries.length > 0 && performance.now() < deadline) {
      const answer = await http.get(`/v1/health/service/web?index=${index}&wait=5s`);
      index = answer.index;
      entries = answer.json as unknown[];
    }
    expect(entries).toEqual([]);
    // Passing for the TTL, then critical for DeregisterCriticalServiceAfter before the reaper acts.
    expect(performance.now() - started).toBeGreaterThanOrEqual(245);
    expect((await http.get('/v1/agent/services')).json).toEqual({});
  });

  it('never reaps sooner than the configured minimum (Consul: 1 min)', async () => {
    const strict = await ConsulApiDouble.start({ reapIntervalMs: 25 });
    const strictHttp = new Http(strict);
    try {
      await strictHttp.put(
        '/v1/agent/service/register',
        ttlService('web-1', { Status: 'critical', DeregisterCriticalServiceAfter: '10ms' }),
      );
      const first = await strictHttp.get('/v1/health/service/web');
      // Several reaper rounds pass within the wait; the service must survive them all.
      const answer = await strictHttp.get(`/v1/health/service/web?index=${first.index}&wait=300ms`);
      expect(answer.json).toHaveLength(1);
    } finally {
      await strict.stop();
    }
  });
});

describe('ConsulApiDouble: KV', () => {
  let double: ConsulApiDouble;
  let http: Http;
  beforeEach(async () => {
    double = await ConsulApiDouble.start();
    http = new Http(double);
  });
  afterEach(() => double.stop());

  it('stores values as base64 with flags and indexes, and answers 404 for a missing key', async () => {
    expect((await http.put('/v1/kv/app/config?flags=42', 'hello')).json).toBe(true);
    const got = await http.get('/v1/kv/app/config');
    expect(got.json).toEqual([
      {
        LockIndex: 0,
        Key: 'app/config',
        Flags: 42,
        Value: Buffer.from('hello').toString('base64'),
        CreateIndex: got.index,
        ModifyIndex: got.index,
      },
    ]);
    expect((await http.get('/v1/kv/app/config?raw')).text).toBe('hello');

    const missing = await http.get('/v1/kv/app/missing');
    expect(missing.status).toBe(404);
    expect(missing.text).toBe('');
    expect(missing.index).toBeGreaterThan(0);
  });

  it('lists by prefix with ?recurse and ?keys&separator, and deletes recursively', async () => {
    for (const key of ['app/a', 'app/b/c', 'app/b/d', 'other']) await http.put(`/v1/kv/${key}`, key);
    const recursed = (await http.get('/v1/kv/app/?recurse')).json as Array<{ Key: string }>;
    expect(recursed.map((entry) => entry.Key)).toEqual(['app/a', 'app/b/c', 'app/b/d']);
    expect((await http.get('/v1/kv/app/?keys&separator=/')).json).toEqual(['app/a', 'app/b/']);

    expect((await http.del('/v1/kv/app/?recurse')).json).toBe(true);
    expect((await http.get('/v1/kv/?recurse')).json).toEqual([expect.objectContaining({ Key: 'other' })]);
  });

  it('applies check-and-set: cas=0 creates only, cas=N updates only at ModifyIndex N', async () => {
    expect((await http.put('/v1/kv/lock?cas=0', 'one')).json).toBe(true);
    expect((await http.put('/v1/kv/lock?cas=0', 'two')).json).toBe(false);
    const { index } = await http.get('/v1/kv/lock');
    expect((await http.put(`/v1/kv/lock?cas=${index + 100}`, 'three')).json).toBe(false);
    expect((await http.put(`/v1/kv/lock?cas=${index}`, 'four')).json).toBe(true);
    expect((await http.get('/v1/kv/lock?raw')).text).toBe('four');
    expect((await http.del(`/v1/kv/lock?cas=${index}`)).json).toBe(false);
  });

  it('blocks a KV read until the key changes', async () => {
    await http.put('/v1/kv/flag', 'off');
    const first = await http.get('/v1/kv/flag');
    const blocked = http.get(`/v1/kv/flag?index=${first.index}&wait=10s`);
    await waitFor(() => double.blockedQueries === 1, { timeoutMs: 2_000, label: 'the query to park' });
    await http.put('/v1/kv/flag', 'on');
    const answer = await blocked;
    expect(answer.index).toBeGreaterThan(first.index);
    expect((answer.json as Array<{ Value: string }>)[0]?.Value).toBe(Buffer.from('on').toString('base64'));
  });
});

describe('ConsulApiDouble: ACL', () => {
  let double: ConsulApiDouble;
  beforeEach(async () => {
    double = await ConsulApiDouble.start({ token: 'secret' });
  });
  afterEach(() => double.stop());

  it('allows everything with the configured token, in the header or as a bearer token', async () => {
    expect(
      (await new Http(double, 'secret').put('/v1/agent/service/register', ttlService('web-1'))).status,
    ).toBe(200);
    const bearer = await new Http(double).request('GET', '/v1/health/service/web', undefined, {
      Authorization: 'Bearer secret',
    });
    expect(bearer.json).toHaveLength(1);
  });

  it('answers 403 "ACL not found" to an unknown token, for reads and writes', async () => {
    const stranger = new Http(double, 'guess');
    for (const answer of [
      await stranger.put('/v1/agent/service/register', ttlService('web-1')),
      await stranger.get('/v1/health/service/web'),
      await stranger.get('/v1/kv/anything'),
    ]) {
      expect(answer).toMatchObject({ status: 403, text: 'ACL not found' });
    }
  });

  it('denies writes to the anonymous token and hides what it may not read', async () => {
    await new Http(double, 'secret').put('/v1/agent/service/register', ttlService('web-1'));
    const anonymous = new Http(double);
    const write = await anonymous.put('/v1/agent/service/register', ttlService('web-2'));
    expect(write.status).toBe(403);
    expect(write.text).toMatch(/^Permission denied/);
    expect((await anonymous.put('/v1/agent/check/pass/service:web-1')).status).toBe(403);
    expect((await anonymous.get('/v1/kv/x')).status).toBe(403);

    const read = await anonymous.get('/v1/health/service/web');
    expect(read.status).toBe(200);
    expect(read.json).toEqual([]);
    expect(read.headers.get('x-consul-results-filtered-by-acls')).toBe('true');
  });
});
