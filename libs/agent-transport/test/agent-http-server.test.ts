import { buildTask } from '@contextforge/testing';
import { serveScriptedAgent, type ServedAgent } from './support/serve-scripted-agent';

/** The agent's HTTP face seen by any client (a probe, a proxy, a broken scheduler): raw fetch. */
describe('serveAgentEndpoint', () => {
  let served: ServedAgent;
  const post = (
    path: string,
    body: string,
    headers: Record<string, string> = { 'content-type': 'application/json' },
  ) => fetch(`${served.endpoint}${path}`, { method: 'POST', headers, body });

  beforeEach(async () => {
    served = await serveScriptedAgent(4_096);
  });
  afterEach(() => served.close());

  it('answers 202 to a valid assignment', async () => {
    const response = await post(
      '/v1/assignments',
      JSON.stringify({ task: buildTask(), attempt: 1, token: 't1' }),
    );
    expect(response.status).toBe(202);
    expect(await response.json()).toEqual({ accepted: true });
    expect(served.agent.accepted).toHaveLength(1);
  });

  it('answers 400 MALFORMED_JSON to a body that is not JSON', async () => {
    const response = await post('/v1/assignments', '{"task": ');
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toBe('application/json');
    const body = (await response.json()) as { error: Record<string, unknown> };
    expect(Object.keys(body)).toEqual(['error']);
    expect(Object.keys(body.error).sort()).toEqual(['code', 'message']);
    expect(body.error).toMatchObject({
      code: 'MALFORMED_JSON',
      message: expect.stringContaining('not valid JSON'),
    });
    expect(served.agent.accepted).toEqual([]);
  });

  it('answers 400 VALIDATION_FAILED naming the fields of an invalid assignment', async () => {
    const response = await post(
      '/v1/assignments',
      JSON.stringify({ task: { ...buildTask(), id: 'nope' }, attempt: 0 }),
    );
    expect(response.status).toBe(400);
    const { error } = (await response.json()) as {
      error: { code: string; details: { issues: Array<{ path: string }> } };
    };
    expect(error.code).toBe('VALIDATION_FAILED');
    expect(error.details.issues.map((issue) => issue.path).sort()).toEqual(['attempt', 'task.id', 'token']);
    expect(served.agent.accepted).toEqual([]);
  });

  it('answers 413 PAYLOAD_TOO_LARGE to a body over the limit', async () => {
    const response = await post(
      '/v1/assignments',
      JSON.stringify({ task: buildTask({ input: 'x'.repeat(5_000) }), attempt: 1, token: 't1' }),
    );
    expect(response.status).toBe(413);
    expect(await response.json()).toMatchObject({ error: { code: 'PAYLOAD_TOO_LARGE' } });
    expect(served.agent.accepted).toEqual([]);
  });

  it('answers 405 with Allow to a known path with another method, 404 to an unknown path', async () => {
    const wrongMethod = await fetch(`${served.endpoint}/v1/assignments`);
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toBe('POST');
    expect(await wrongMethod.json()).toMatchObject({ error: { code: 'METHOD_NOT_ALLOWED' } });
    const wrongProbe = await post('/healthz', '{}');
    expect(wrongProbe.status).toBe(405);
    expect(wrongProbe.headers.get('allow')).toBe('GET');
    const unknown = await fetch(`${served.endpoint}/v2/nothing`);
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ error: { code: 'ROUTE_NOT_FOUND' } });
  });

  it('serves /healthz always and /readyz with 503 while the agent drains', async () => {
    const health = await fetch(`${served.endpoint}/healthz`);
    expect([health.status, await health.json()]).toEqual([200, { status: 'ok' }]);
    const ready = await fetch(`${served.endpoint}/readyz`);
    expect([ready.status, await ready.json()]).toEqual([200, { status: 'ready' }]);
    served.agent.draining = true;
    const draining = await fetch(`${served.endpoint}/readyz`);
    expect([draining.status, await draining.json()]).toEqual([503, { status: 'draining' }]);
    const stillHealthy = await fetch(`${served.endpoint}/healthz`);
    expect(stillHealthy.status).toBe(200);
  });

  it('never sends the message of an unexpected error', async () => {
    served.agent.failWith = new TypeError('cannot read properties of undefined (reading "secret")');
    const response = await post(
      '/v1/assignments',
      JSON.stringify({ task: buildTask(), attempt: 1, token: 't1' }),
    );
    expect(response.status).toBe(500);
    expect(await response.json()).toEqual({ error: { code: 'INTERNAL', message: 'internal error' } });
  });
});
