import { request } from 'node:http';
import { createServer } from 'node:net';
import { AgentRegistrationSchema, type AgentInstance, type AppError } from '@contextforge/contracts';
import { ConsulApiDouble, DiscoveryWatchRecorder, uniqueName } from '@contextforge/testing';
import { ConsulDiscovery } from '../src/consul/consul-discovery';

const agent = (id: string, overrides: Record<string, unknown> = {}) =>
  AgentRegistrationSchema.parse({
    id,
    name: `Agent ${id}`,
    type: 'code-analyzer',
    taskTypes: ['analyze-file', 'review-diff'],
    capabilities: ['typescript', 'python'],
    resources: { cpu: '4', memory: '8Gi' },
    endpoint: 'https://agent-1.internal:8443/rpc',
    weight: 2,
    concurrency: 8,
    version: '2.1.0',
    ...overrides,
  });

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('ConsulDiscovery (against the ConsulApiDouble)', () => {
  let consul: ConsulApiDouble;
  let discovery: ConsulDiscovery;
  let recorders: DiscoveryWatchRecorder[];
  const start = async (options: ConstructorParameters<typeof ConsulDiscovery>[0] = {}) => {
    discovery = new ConsulDiscovery({ host: consul.host, port: consul.port, aclToken: 'tkn', ...options });
    await discovery.connect();
    return discovery;
  };
  /** Raw HTTP to the double on a fresh connection each time (a pooled one may outlive a restart). */
  const raw = (path: string, init: { method?: string; body?: string } = {}) =>
    new Promise<{ status: number; json: () => Promise<unknown> }>((resolve, reject) => {
      const req = request(
        `${consul.url}${path}`,
        { method: init.method ?? 'GET', agent: false, headers: { 'X-Consul-Token': 'tkn' } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            resolve({ status: res.statusCode ?? 0, json: async () => JSON.parse(text) as unknown });
          });
        },
      );
      req.on('error', reject);
      req.end(init.body);
    });

  beforeEach(async () => {
    consul = await ConsulApiDouble.start({
      token: 'tkn',
      reapIntervalMs: 25,
      minDeregisterCriticalServiceAfterMs: 0,
    });
    recorders = [];
  });
  afterEach(async () => {
    for (const recorder of recorders) recorder.close();
    await discovery?.close();
    await consul.stop();
  });

  it('stores an agent as a service instance: tags, meta, address, port and passing heartbeat and probe TTL checks', async () => {
    const serviceName = uniqueName('agents');
    await start({ serviceName, ttlMs: 15_000 });
    await discovery.register(agent('a-1'));

    const [entry] = (await (await raw(`/v1/health/service/${serviceName}`)).json()) as Array<{
      Service: Record<string, unknown>;
      Checks: Array<Record<string, unknown>>;
    }>;
    expect(entry?.Service).toMatchObject({
      ID: 'a-1',
      Service: serviceName,
      Tags: ['typescript', 'python', 'type:code-analyzer'],
      Address: 'agent-1.internal',
      Port: 8443,
      Meta: {
        type: 'code-analyzer',
        taskTypes: 'analyze-file,review-diff',
        weight: '2',
        concurrency: '8',
        version: '2.1.0',
        name: 'Agent a-1',
        endpoint: 'https://agent-1.internal:8443/rpc',
        resources: '{"cpu":"4","memory":"8Gi"}',
      },
    });
    expect(entry?.Checks.filter((check) => check['ServiceID'] === 'a-1')).toEqual([
      expect.objectContaining({ CheckID: 'service:a-1', Status: 'passing', Type: 'ttl' }),
      expect.objectContaining({ CheckID: 'service:a-1:probe', Status: 'passing', Type: 'ttl' }),
    ]);

    await discovery.reportProbe('a-1', 'critical', 'unreachable');
    const [probed] = (await (await raw(`/v1/health/service/${serviceName}`)).json()) as Array<{
      Checks: Array<Record<string, unknown>>;
    }>;
    expect(probed?.Checks.find((check) => check['CheckID'] === 'service:a-1:probe')).toMatchObject({
      Status: 'critical',
      Output: 'unreachable',
    });
  });

  it('reports heartbeat notes, clears them on a plain pass, and skips foreign instances', async () => {
    const serviceName = uniqueName('agents');
    await start({ serviceName });
    await discovery.register(agent('a-1'));
    await raw('/v1/agent/service/register', {
      method: 'PUT',
      body: JSON.stringify({
        ID: 'not-an-agent',
        Name: serviceName,
        Check: { TTL: '30s', Status: 'passing' },
      }),
    });

    await discovery.heartbeat('a-1', 'critical', 'analyzer crashed');
    expect(await discovery.list()).toEqual([
      expect.objectContaining({ health: 'critical', note: 'analyzer crashed', lastHeartbeatAgeMs: null }),
    ]);
    await discovery.heartbeat('a-1');
    const [instance] = await discovery.list({ healthyOnly: true });
    expect(instance?.health).toBe('passing');
    expect(instance?.note).toBeUndefined();
  });

  it('lets Consul remove an agent that stays critical past deregisterCriticalAfterMs', async () => {
    await start({ serviceName: uniqueName('agents'), ttlMs: 150, deregisterCriticalAfterMs: 150 });
    const recorder = new DiscoveryWatchRecorder(discovery);
    recorders.push(recorder);
    await discovery.register(agent('short-lived'));
    await recorder.until((agents) => agents.length === 1, 'the registration');
    await recorder.next((agents) => agents[0]?.health === 'critical', 'TTL expiry');
    await recorder.next((agents) => agents.length === 0, 'the removal');
    await expect(discovery.heartbeat('short-lived')).rejects.toMatchObject({ code: 'AGENT_NOT_FOUND' });
  });

  it('translates a refused connection into SERVICE_UNAVAILABLE naming the endpoint', async () => {
    const port = await freePort();
    const offline = new ConsulDiscovery({ host: '127.0.0.1', port, requestTimeoutMs: 2_000 });
    const failure = (await offline.connect().catch((error: unknown) => error)) as AppError;
    expect(failure).toMatchObject({ code: 'SERVICE_UNAVAILABLE', retryable: true });
    expect(failure.message).toContain('GET /v1/health/service/contextforge-agent');
    await offline.close();
  });

  it('fails connect with a non-retryable SERVICE_UNAVAILABLE when Consul does not know the token', async () => {
    const stranger = new ConsulDiscovery({ host: consul.host, port: consul.port, aclToken: 'wrong' });
    await expect(stranger.connect()).rejects.toMatchObject({
      code: 'SERVICE_UNAVAILABLE',
      retryable: false,
      details: expect.objectContaining({ status: 403 }),
    });
    await stranger.close();
  });

  it('translates a write denied by ACL (anonymous token) into a non-retryable SERVICE_UNAVAILABLE', async () => {
    await start({ aclToken: '' });
    await expect(discovery.register(agent('a-1'))).rejects.toMatchObject({
      code: 'SERVICE_UNAVAILABLE',
      retryable: false,
      details: expect.objectContaining({ status: 403, endpoint: 'PUT /v1/agent/service/register' }),
    });
  });

  it('keeps watching across a Consul outage: reports errors, backs off, resumes with the new state', async () => {
    const port = consul.port;
    const errors: AppError[] = [];
    const serviceName = uniqueName('agents');
    // A short wait: after the restart the index went backwards, so the parked query returns at wait
    // expiry with a lower index, and the watch starts over from index 0 (Consul's documented reset).
    await start({
      serviceName,
      watchWaitMs: 500,
      watchBackoffMs: 20,
      watchBackoffMaxMs: 200,
      onWatchError: (e) => errors.push(e),
    });
    // Unrelated writes push the old index well above what the restarted, empty Consul will reach.
    for (let i = 0; i < 5; i += 1) await raw(`/v1/kv/filler-${i}`, { method: 'PUT', body: 'x' });
    const recorder = new DiscoveryWatchRecorder(discovery);
    recorders.push(recorder);
    await discovery.register(agent('before'));
    await recorder.until((agents) => agents.length === 1, 'the first agent');

    await consul.stop();
    consul = await ConsulApiDouble.start({ token: 'tkn', port });
    await raw('/v1/agent/service/register', {
      method: 'PUT',
      body: JSON.stringify({
        ID: 'after',
        Name: serviceName,
        Tags: ['go', 'type:code-analyzer'],
        Meta: {
          type: 'code-analyzer',
          taskTypes: 'analyze-file',
          weight: '1',
          concurrency: '1',
          version: '1.0.0',
          name: 'after',
          endpoint: 'memory://after',
          resources: '{}',
        },
        Check: { TTL: '30s', Status: 'passing' },
      }),
    });

    const resumed = await recorder.next(
      (agents: AgentInstance[]) => agents.map((a) => a.registration.id).join() === 'after',
      'the state after the outage',
      10_000,
    );
    expect(resumed[0]?.registration).toMatchObject({ capabilities: ['go'], endpoint: 'memory://after' });
    expect(errors.length).toBeGreaterThan(0);
    expect(errors[0]).toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
  });

  it('fails calls before connect and after close', async () => {
    const idle = new ConsulDiscovery({ host: consul.host, port: consul.port });
    await expect(idle.list()).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
    await idle.connect();
    await idle.close();
    expect(() => idle.watch(() => undefined)).toThrow(
      expect.objectContaining({ code: 'SERVICE_UNAVAILABLE' }),
    );
  });
});
