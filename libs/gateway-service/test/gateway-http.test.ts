import { randomUUID } from 'node:crypto';
import { createSilentLogger, type LogFields, type Logger } from '@contextforge/observability';
import { ExplodingResultStore } from './support/fake-apis';
import { AGENTS, GatewayClient, errorOf } from './support/gateway-client';

describe('gateway HTTP behaviour', () => {
  let client: GatewayClient;

  afterEach(async () => {
    await client.close();
  });

  describe('with working dependencies', () => {
    beforeEach(async () => {
      client = await GatewayClient.start({ bodyLimitBytes: 1_024 });
    });

    it('lists agents sorted by id, reads one, and answers 404 AGENT_NOT_FOUND for an unknown one', async () => {
      const list = await client.get('/agents');
      expect(list.status).toBe(200);
      expect(await list.json()).toEqual({ agents: [AGENTS[1], AGENTS[0]] });

      const one = await client.get('/agents/agent-b');
      expect(one.status).toBe(200);
      expect(await one.json()).toEqual(AGENTS[0]);

      const missing = await client.get('/agents/agent-z');
      expect(missing.status).toBe(404);
      expect(await errorOf(missing)).toMatchObject({ code: 'AGENT_NOT_FOUND', message: 'no agent agent-z' });
    });

    it('answers /healthz and /readyz with 200 when no readiness check is given', async () => {
      const health = await client.get('/healthz');
      expect(health.status).toBe(200);
      expect(await health.json()).toEqual({ status: 'ok' });
      const ready = await client.get('/readyz');
      expect(ready.status).toBe(200);
      expect(await ready.json()).toEqual({ status: 'ready' });
    });

    const taskId = randomUUID();
    it.each([
      ['/healthz', 'POST', 'GET'],
      ['/readyz', 'DELETE', 'GET'],
      ['/tasks/submit', 'GET', 'POST'],
      ['/tasks', 'POST', 'GET'],
      [`/tasks/${taskId}`, 'PUT', 'GET, DELETE'],
      [`/tasks/${taskId}/redrive`, 'GET', 'POST'],
      ['/dead-letters', 'POST', 'GET'],
      ['/dead-letters/redrive', 'GET', 'POST'],
      [`/tasks/${taskId}/result`, 'POST', 'GET'],
      ['/agents', 'PATCH', 'GET'],
      ['/agents/agent-a', 'PUT', 'GET, DELETE'],
      ['/agents/health', 'POST', 'GET'],
      ['/agents/register', 'GET', 'POST'],
      ['/api-keys', 'DELETE', 'POST, GET'],
      ['/openapi.json', 'POST', 'GET'],
    ])('answers 405 METHOD_NOT_ALLOWED with an Allow header on %s for %s', async (path, method, allow) => {
      const response = await client.request(path, { method });

      expect(response.status).toBe(405);
      expect(response.headers.get('allow')).toBe(allow);
      const error = await errorOf(response);
      expect(error).toMatchObject({ code: 'METHOD_NOT_ALLOWED', details: { allowed: allow.split(', ') } });
    });

    it('answers 404 ROUTE_NOT_FOUND for a path that is no endpoint', async () => {
      for (const path of ['/nope', '/tasks/submit/extra', '/agents/a/b/c']) {
        const response = await client.get(path);
        expect(response.status).toBe(404);
        expect((await errorOf(response)).code).toBe('ROUTE_NOT_FOUND');
      }
    });

    it('answers 413 PAYLOAD_TOO_LARGE for a body over bodyLimitBytes and accepts one just under it', async () => {
      const padding = (size: number) => ({ type: 'analyze.file', input: { blob: 'x'.repeat(size) } });
      const overhead = JSON.stringify(padding(0)).length;

      const tooLarge = await client.post('/tasks/submit', padding(1_024 - overhead + 1));
      expect(tooLarge.status).toBe(413);
      expect((await errorOf(tooLarge)).code).toBe('PAYLOAD_TOO_LARGE');

      const fits = await client.post('/tasks/submit', padding(1_024 - overhead));
      expect(fits.status).toBe(202);
    });

    it('answers 400 MALFORMED_JSON for a body that is not JSON', async () => {
      const response = await client.post('/tasks/submit', '{"type": "analyze.file",');

      expect(response.status).toBe(400);
      expect((await errorOf(response)).code).toBe('MALFORMED_JSON');
    });
  });

  it('answers /readyz with 503 while the readiness check resolves false or fails', async () => {
    let ready: boolean | Error = false;
    client = await GatewayClient.start({
      ready: async () => {
        if (ready instanceof Error) throw ready;
        return ready;
      },
    });

    const notReady = await client.get('/readyz');
    expect(notReady.status).toBe(503);
    expect(await notReady.json()).toEqual({ status: 'not_ready' });
    ready = new Error('database down');
    expect((await client.get('/readyz')).status).toBe(503);
    ready = true;
    expect((await client.get('/readyz')).status).toBe(200);
    // Liveness does not depend on readiness.
    expect((await client.get('/healthz')).status).toBe(200);
  });

  it('answers 500 INTERNAL with "internal error" when the result-store throws, logging the stack instead of sending it', async () => {
    const logged: LogFields[] = [];
    const logger: Logger = {
      ...createSilentLogger(),
      error: (fields: LogFields | string) =>
        void logged.push(typeof fields === 'string' ? { message: fields } : fields),
    };
    const secret = new Error('connect ECONNREFUSED 10.0.0.5:5432 (user contextforge)');
    client = await GatewayClient.start({ resultStore: new ExplodingResultStore(secret), logger });

    for (const response of [
      await client.get(`/tasks/${randomUUID()}`),
      await client.post('/tasks/submit', { type: 'analyze.file' }),
      await client.get('/tasks'),
    ]) {
      expect(response.status).toBe(500);
      const text = await response.text();
      expect(JSON.parse(text)).toEqual({ error: { code: 'INTERNAL', message: 'internal error' } });
      expect(text).not.toContain('ECONNREFUSED');
      expect(text).not.toContain('at ');
    }
    expect(logged).toHaveLength(3);
    expect(String(logged[0]?.['err'])).toContain(secret.stack?.split('\n')[1]?.trim());
  });
});
