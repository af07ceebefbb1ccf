import { AppError } from '@contextforge/contracts';
import { createLogger } from '@contextforge/observability';
import express, { Router } from 'express';
import { createServiceApp, methodNotAllowed, requireJson } from '../src';
import { LogLines, serveApp, type ServedApp } from './support/serve-app';

const SECRET = 'postgres://app:hunter2@db.internal/tasks';

function routes(): Router {
  const router = Router();
  router.post('/echo', requireJson, express.json({ limit: 64 }), (req, res) => void res.json(req.body));
  router.get('/app-error', () => {
    throw new AppError('TASK_NOT_FOUND', 'no task t-1', { details: { id: 't-1' } });
  });
  router.get('/crash', () => {
    throw new Error(`cannot connect to ${SECRET}`);
  });
  router.get('/async-crash', async () => {
    await Promise.resolve();
    throw new TypeError(`undefined is not a function near ${SECRET}`);
  });
  router.get('/thrown-string', () => {
    // Non-Error values get thrown too (by libraries); they must not crash the handler.
    throw 'just a string';
  });
  router.get('/only-get', (_req, res) => void res.json({ ok: true }));
  router.all('/only-get', methodNotAllowed(['GET', 'HEAD']));
  return router;
}

describe('createServiceApp and the error handler', () => {
  let served: ServedApp;
  let logs: LogLines;
  let ready: () => Promise<boolean>;
  const post = (path: string, body: string, contentType = 'application/json') =>
    fetch(`${served.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': contentType },
      body,
    });

  beforeEach(async () => {
    logs = new LogLines();
    ready = async () => true;
    const logger = createLogger({ service: 'http-kit-test', level: 'error', destination: logs });
    served = await serveApp(createServiceApp({ logger, routers: [routes()], ready: () => ready() }));
  });
  afterEach(() => served.close());

  it('passes a valid JSON body through', async () => {
    const response = await post('/echo', '{"a":1}');
    expect([response.status, await response.json()]).toEqual([200, { a: 1 }]);
  });

  it('maps malformed JSON to 400 MALFORMED_JSON in the error shape', async () => {
    const response = await post('/echo', '{"a":');
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: Record<string, unknown> };
    expect(Object.keys(body)).toEqual(['error']);
    expect(Object.keys(body.error).sort()).toEqual(['code', 'message']);
    expect(body.error).toMatchObject({
      code: 'MALFORMED_JSON',
      message: expect.stringMatching(/^the body is not valid JSON/),
    });
  });

  it('maps a body over the limit to 413 PAYLOAD_TOO_LARGE naming the limit', async () => {
    const response = await post('/echo', JSON.stringify({ text: 'x'.repeat(100) }));
    expect(response.status).toBe(413);
    expect(await response.json()).toEqual({
      error: { code: 'PAYLOAD_TOO_LARGE', message: 'the body is larger than the limit of 64 bytes' },
    });
  });

  it('refuses a body of another media type with 415, before reading it', async () => {
    for (const contentType of ['text/plain', 'application/x-www-form-urlencoded']) {
      const response = await post('/echo', '{"a":1}', contentType);
      expect(response.status).toBe(415);
      expect(await response.json()).toMatchObject({ error: { code: 'UNSUPPORTED_MEDIA_TYPE' } });
    }
  });

  it('answers an AppError with its status, code, message and details', async () => {
    const response = await fetch(`${served.url}/app-error`);
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({
      error: { code: 'TASK_NOT_FOUND', message: 'no task t-1', details: { id: 't-1' } },
    });
    expect(logs.lines).toEqual([]);
  });

  it.each(['/crash', '/async-crash', '/thrown-string'])(
    'answers an unexpected throw on %s with 500 INTERNAL "internal error", logging it instead of sending it',
    async (path) => {
      const response = await fetch(`${served.url}${path}`);
      expect(response.status).toBe(500);
      const text = await response.text();
      expect(JSON.parse(text)).toEqual({ error: { code: 'INTERNAL', message: 'internal error' } });
      expect(text).not.toContain('hunter2');
      expect(logs.lines).toHaveLength(1);
      expect(logs.lines[0]).toMatchObject({ level: 'error', msg: 'unhandled error', path });
    },
  );

  it('answers a known path with another method 405 and an Allow header', async () => {
    const response = await fetch(`${served.url}/only-get`, { method: 'DELETE' });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('GET, HEAD');
    expect(await response.json()).toEqual({
      error: {
        code: 'METHOD_NOT_ALLOWED',
        message: 'DELETE is not allowed on /only-get; use GET, HEAD',
        details: { allowed: ['GET', 'HEAD'] },
      },
    });
    expect((await fetch(`${served.url}/only-get`)).status).toBe(200);
  });

  it('answers an unknown route 404 ROUTE_NOT_FOUND and hides x-powered-by', async () => {
    const response = await fetch(`${served.url}/nowhere`);
    expect(response.status).toBe(404);
    expect(response.headers.get('x-powered-by')).toBeNull();
    expect(await response.json()).toEqual({
      error: { code: 'ROUTE_NOT_FOUND', message: 'no endpoint GET /nowhere' },
    });
  });

  it('serves /healthz, and /readyz from the ready check (503 when false or failing)', async () => {
    expect(await (await fetch(`${served.url}/healthz`)).json()).toEqual({ status: 'ok' });
    const readyNow = await fetch(`${served.url}/readyz`);
    expect([readyNow.status, await readyNow.json()]).toEqual([200, { status: 'ready' }]);
    ready = async () => false;
    const notReady = await fetch(`${served.url}/readyz`);
    expect([notReady.status, await notReady.json()]).toEqual([503, { status: 'not_ready' }]);
    ready = () => Promise.reject(new Error('database down'));
    expect((await fetch(`${served.url}/readyz`)).status).toBe(503);
  });
});
