import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { jsonBody, type JsonBodyOptions } from '../src';
import { jsonStringStream, send } from './support/send-request';
import { serveApp, type ServedApp } from './support/serve-app';

const SMALL_LIMIT = 64;
const REAL_LIMIT = 100_000_000; // network.body_limit: 100MB
const DECODER_CHUNK = 16 * 1024; // zlib's default output chunk

let served: ServedApp | undefined;
afterEach(() => served?.close());

/** POST / echoes the parsed body. */
async function serve(options: JsonBodyOptions): Promise<number> {
  served = await serveApp((app) => {
    app.post('/', jsonBody(options), (req, res) => void res.json({ body: req.body as unknown }));
  });
  return served.port;
}

const JSON_TYPE = { 'content-type': 'application/json' };

/** A JSON document of exactly `size` bytes: {"a":"xxx..."}. */
function jsonOfSize(size: number): string {
  const text = `{"a":"${'x'.repeat(size - 8)}"}`;
  expect(Buffer.byteLength(text)).toBe(size);
  return text;
}

describe('jsonBody limits', () => {
  it('accepts a body of exactly the limit', async () => {
    const port = await serve({ limitBytes: SMALL_LIMIT });
    const response = await send(port, { headers: JSON_TYPE, body: jsonOfSize(SMALL_LIMIT) });
    expect(response.status).toBe(200);
    expect(response.json()).toEqual({ body: JSON.parse(jsonOfSize(SMALL_LIMIT)) });
  });

  it('refuses one byte more with 413, counting a chunked body as it streams', async () => {
    const port = await serve({ limitBytes: SMALL_LIMIT });
    const response = await send(port, { headers: JSON_TYPE, body: jsonStringStream(SMALL_LIMIT + 1, 16) });
    expect(response.status).toBe(413);
    expect(response.json()).toMatchObject({
      error: { code: 'PAYLOAD_TOO_LARGE', details: { limitBytes: 64 } },
    });
  });

  it('refuses a Content-Length above the limit before reading the body', async () => {
    const port = await serve({ limitBytes: SMALL_LIMIT });
    const response = await send(port, {
      headers: { ...JSON_TYPE, 'content-length': String(SMALL_LIMIT + 1) },
      headersOnly: true,
    });
    expect(response.status).toBe(413);
    expect(response.headers['connection']).toBe('close');
  });

  it('refuses 100 MB + 1 byte streamed against the real limit', async () => {
    const port = await serve({ limitBytes: REAL_LIMIT });
    const response = await send(port, { headers: JSON_TYPE, body: jsonStringStream(REAL_LIMIT + 1) });
    expect(response.status).toBe(413);
    expect(response.json()).toMatchObject({ error: { code: 'PAYLOAD_TOO_LARGE' } });
  });

  it('refuses a declared 100 MB + 1 byte against the real limit without waiting for it', async () => {
    const port = await serve({ limitBytes: REAL_LIMIT });
    const response = await send(port, {
      headers: { ...JSON_TYPE, 'content-length': String(REAL_LIMIT + 1) },
      headersOnly: true,
    });
    expect(response.status).toBe(413);
  });
});

describe('jsonBody content types and encodings', () => {
  it.each([
    ['text/plain', { 'content-type': 'text/plain' }],
    ['no Content-Type', {}],
    ['a charset other than UTF-8', { 'content-type': 'application/json; charset=latin1' }],
    ['an unknown Content-Encoding', { ...JSON_TYPE, 'content-encoding': 'compress' }],
    ['several Content-Encodings', { ...JSON_TYPE, 'content-encoding': 'gzip, br' }],
  ])('refuses %s with 415', async (_name, headers: Record<string, string>) => {
    const port = await serve({ limitBytes: SMALL_LIMIT });
    const response = await send(port, { headers, body: '{}' });
    expect(response.status).toBe(415);
    expect(response.json()).toMatchObject({ error: { code: 'UNSUPPORTED_MEDIA_TYPE' } });
  });

  it.each([
    ['identity', (b: Buffer) => b],
    ['gzip', (b: Buffer) => gzipSync(b)],
    ['deflate', (b: Buffer) => deflateSync(b)],
    ['br', (b: Buffer) => brotliCompressSync(b)],
  ])('reads a %s body', async (encoding, encode) => {
    const port = await serve({ limitBytes: 1024 });
    const document = { tasks: [{ type: 'echo', input: { text: 'é ✓' } }] };
    const response = await send(port, {
      headers: { 'content-type': 'application/json; charset=utf-8', 'content-encoding': encoding },
      body: encode(Buffer.from(JSON.stringify(document))),
    });
    expect(response.status).toBe(200);
    expect(response.json()).toEqual({ body: document });
  });

  it('reads an empty body as {} (as express.json does)', async () => {
    const port = await serve({ limitBytes: SMALL_LIMIT });
    const response = await send(port, { headers: JSON_TYPE, body: '' });
    expect(response.json()).toEqual({ body: {} });
  });

  it.each([
    ['invalid JSON', JSON_TYPE, Buffer.from('{"a":')],
    ['a corrupt gzip stream', { ...JSON_TYPE, 'content-encoding': 'gzip' }, Buffer.from('not gzip at all')],
  ])('answers %s with 400 MALFORMED_JSON', async (_name, headers: Record<string, string>, body) => {
    const port = await serve({ limitBytes: SMALL_LIMIT });
    const response = await send(port, { headers, body });
    expect(response.status).toBe(400);
    expect(response.json()).toMatchObject({ error: { code: 'MALFORMED_JSON' } });
  });

  it.each([
    ['gzip', gzipSync],
    ['deflate', deflateSync],
    ['br', brotliCompressSync],
  ])('limits the decoded size of a %s body, not the compressed one', async (encoding, encode) => {
    const port = await serve({ limitBytes: 1024 });
    const exact = encode(Buffer.from(jsonOfSize(1024)));
    const over = encode(Buffer.from(jsonOfSize(1025)));
    expect(over.length).toBeLessThan(100);
    const headers = { ...JSON_TYPE, 'content-encoding': encoding };
    expect((await send(port, { headers, body: exact })).status).toBe(200);
    expect((await send(port, { headers, body: over })).status).toBe(413);
  });
});

describe('jsonBody against compression bombs', () => {
  /**
   * About 1 MB of gzip that inflates to 1 GiB of JSON whitespace followed by `{}`: valid JSON,
   * were it inflated. Built from 1,024 gzip members of 1 MiB of spaces (a gzip stream may hold
   * several members; gunzip reads them all).
   */
  function gzipBomb(): { body: Buffer; inflatedBytes: number } {
    const member = gzipSync(Buffer.alloc(1024 * 1024, ' '), { level: 9 });
    const body = Buffer.concat([...Array.from({ length: 1024 }, () => member), gzipSync('{}')]);
    return { body, inflatedBytes: 1024 * 1024 * 1024 + 2 };
  }

  it('refuses a 1 MB gzip body that inflates to 1 GB, inflating no more than the limit plus one chunk', async () => {
    const { body, inflatedBytes } = gzipBomb();
    expect(inflatedBytes).toBeGreaterThan(1_000_000_000);
    expect(body.length).toBeGreaterThan(500_000);
    expect(body.length).toBeLessThan(2_000_000);

    let decoded = 0;
    const rssBefore = process.memoryUsage.rss();
    let rssPeak = rssBefore;
    const port = await serve({
      limitBytes: REAL_LIMIT,
      onDecodedChunk: (bytes) => {
        decoded += bytes;
        rssPeak = Math.max(rssPeak, process.memoryUsage.rss());
      },
    });
    const response = await send(port, { headers: { ...JSON_TYPE, 'content-encoding': 'gzip' }, body });

    expect(response.status).toBe(413);
    expect(response.json()).toMatchObject({ error: { code: 'PAYLOAD_TOO_LARGE' } });
    expect(decoded).toBeGreaterThan(REAL_LIMIT);
    expect(decoded).toBeLessThanOrEqual(REAL_LIMIT + DECODER_CHUNK);
    // Coarse second check: the process never came near holding the inflated gigabyte.
    expect(rssPeak - rssBefore).toBeLessThan(512 * 1024 * 1024);
  });

  it('with maxInflateRatio, refuses a bomb as soon as its ratio shows, long before the size limit', async () => {
    let decoded = 0;
    const port = await serve({
      limitBytes: REAL_LIMIT,
      maxInflateRatio: 100,
      onDecodedChunk: (bytes) => (decoded += bytes),
    });
    const response = await send(port, {
      headers: { ...JSON_TYPE, 'content-encoding': 'gzip' },
      body: gzipBomb().body,
    });
    expect(response.status).toBe(413);
    expect(response.json()).toMatchObject({
      error: { code: 'PAYLOAD_TOO_LARGE', details: { maxInflateRatio: 100 } },
    });
    expect(decoded).toBeLessThanOrEqual(1024 * 1024 + DECODER_CHUNK);
  });

  it.each([
    ['deflate', deflateSync],
    ['br', brotliCompressSync],
  ])('refuses a %s bomb, inflating no more than the limit plus one chunk', async (encoding, encode) => {
    const limitBytes = 1024 * 1024;
    const body = encode(Buffer.alloc(64 * 1024 * 1024, ' '));
    expect(body.length).toBeLessThan(limitBytes / 4);
    let decoded = 0;
    const port = await serve({ limitBytes, onDecodedChunk: (bytes) => (decoded += bytes) });
    const response = await send(port, { headers: { ...JSON_TYPE, 'content-encoding': encoding }, body });
    expect(response.status).toBe(413);
    expect(decoded).toBeGreaterThan(limitBytes);
    expect(decoded).toBeLessThanOrEqual(limitBytes + DECODER_CHUNK);
  });
});
