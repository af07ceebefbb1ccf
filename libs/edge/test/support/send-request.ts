import { request } from 'node:http';
import { Readable } from 'node:stream';

export interface SentResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json(): unknown;
}

export interface SendOptions {
  path?: string;
  headers?: Record<string, string>;
  /** The body; a Readable is streamed (chunked unless a Content-Length header is given). */
  body?: Buffer | string | Readable;
  /** Send only the headers and wait for an answer without writing a byte of body. */
  headersOnly?: boolean;
}

/**
 * POSTs to a local server over a fresh connection and resolves with the response. The server may
 * answer (413) and close before the body is sent completely; the write errors that follow are
 * expected then and ignored once a response has arrived.
 */
export function send(port: number, options: SendOptions): Promise<SentResponse> {
  return new Promise((resolve, reject) => {
    let answered = false;
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: options.path ?? '/',
        headers: options.headers,
        agent: false,
      },
      (res) => {
        answered = true;
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: () => JSON.parse(text) });
        });
        res.on('error', reject);
      },
    );
    req.on('error', (error) => {
      if (!answered) reject(error);
    });
    if (options.headersOnly) {
      req.flushHeaders();
      return;
    }
    const body = options.body;
    if (body instanceof Readable) {
      body.on('error', () => undefined);
      body.pipe(req);
    } else {
      req.end(body);
    }
  });
}

/** A stream of `total` bytes: `"` + x... + `"` (valid JSON if it were allowed through). */
export function jsonStringStream(total: number, chunkSize = 64 * 1024): Readable {
  const filler = Buffer.alloc(chunkSize, 'x');
  let sent = 0;
  return new Readable({
    read() {
      if (sent >= total) {
        this.push(null);
        return;
      }
      const size = Math.min(chunkSize, total - sent);
      const chunk = Buffer.from(filler.subarray(0, size));
      if (sent === 0) chunk[0] = 0x22;
      if (sent + size === total) chunk[size - 1] = 0x22;
      sent += size;
      this.push(chunk);
    },
  });
}
