import { AppError } from '@contextforge/contracts';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fetchJson } from './fetch-json';

interface Seen {
  method: string | undefined;
  url: string | undefined;
  headers: IncomingMessage['headers'];
  body: string;
}

/** A raw node:http server answering what each test scripts, recording what it was sent. */
describe('fetchJson', () => {
  let server: Server;
  let base: string;
  let answer: (res: ServerResponse) => void;
  const seen: Seen[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        seen.push({
          method: req.method,
          url: req.url,
          headers: req.headers,
          body: Buffer.concat(chunks).toString(),
        });
        answer(res);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  beforeEach(() => {
    seen.length = 0;
  });

  const json = (status: number, body: unknown) => (res: ServerResponse) =>
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));

  it('sends a JSON body with its content type and returns the parsed answer', async () => {
    answer = json(200, { ok: true });
    await expect(
      fetchJson(`${base}/things`, { method: 'POST', body: { a: 1 }, headers: { 'x-client-id': 'c1' } }),
    ).resolves.toEqual({ ok: true });
    expect(seen[0]).toMatchObject({
      method: 'POST',
      url: '/things',
      body: '{"a":1}',
      headers: { 'content-type': 'application/json', 'x-client-id': 'c1' },
    });
  });

  it('resolves undefined for an empty 2xx body', async () => {
    answer = (res) => res.writeHead(204).end();
    await expect(fetchJson(`${base}/x`, { method: 'DELETE' })).resolves.toBeUndefined();
    expect(seen[0]?.headers['content-type']).toBeUndefined();
  });

  it('turns our error shape back into the AppError the other side raised', async () => {
    answer = json(409, {
      error: { code: 'RESULT_NOT_AVAILABLE', message: 'task is running', details: { status: 'running' } },
    });
    const error = await fetchJson(`${base}/r`).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({
      code: 'RESULT_NOT_AVAILABLE',
      message: 'task is running',
      retryable: true,
      details: { status: 'running' },
    });
  });

  it('maps an error body with a code we do not know to SERVICE_UNAVAILABLE naming the status', async () => {
    answer = json(418, { error: { code: 'I_AM_A_TEAPOT', message: 'short and stout' } });
    await expect(fetchJson(`${base}/t`)).rejects.toMatchObject({
      code: 'SERVICE_UNAVAILABLE',
      message: `GET ${base}/t answered 418`,
    });
  });

  it('maps a body that is not JSON to SERVICE_UNAVAILABLE, whatever the status', async () => {
    for (const status of [502, 200]) {
      answer = (res) => res.writeHead(status, { 'content-type': 'text/html' }).end('<h1>proxy says no</h1>');
      await expect(fetchJson(`${base}/h`)).rejects.toMatchObject({
        code: 'SERVICE_UNAVAILABLE',
        message: expect.stringContaining(`answered ${status} with a body that is not JSON`),
      });
    }
  });

  it('maps a connection failure to SERVICE_UNAVAILABLE, or to the code the caller chose', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    await expect(fetchJson(`http://127.0.0.1:${port}/x`)).rejects.toMatchObject({
      code: 'SERVICE_UNAVAILABLE',
      retryable: true,
    });
    await expect(
      fetchJson(`http://127.0.0.1:${port}/x`, { unavailableCode: 'AGENT_UNREACHABLE' }),
    ).rejects.toMatchObject({
      code: 'AGENT_UNREACHABLE',
    });
  });

  it('maps an aborted call to SERVICE_UNAVAILABLE', async () => {
    answer = () => undefined; // never answers
    const controller = new AbortController();
    const calling = fetchJson(`${base}/slow`, { signal: controller.signal });
    controller.abort();
    await expect(calling).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
  });
});
