import type { IncomingMessage, ServerResponse } from 'node:http';

/** An HTTP answer the double sends; thrown by handlers for error answers. */
export class ConsulHttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

/** Consul answers errors as text/plain with the reason as the body. */
export function sendText(
  res: ServerResponse,
  status: number,
  text: string,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, {
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

export function sendEmpty(res: ServerResponse, status = 200, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Length': 0, ...headers });
  res.end();
}

export async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > limit) {
      throw new ConsulHttpError(413, `Request body(${size} bytes) too large, max size: ${limit} bytes.`);
    }
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}

export async function readJsonObject(req: IncomingMessage): Promise<Record<string, unknown>> {
  const body = await readBody(req, 10 * 1024 * 1024);
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch (error) {
    throw new ConsulHttpError(400, `Request decode failed: ${(error as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ConsulHttpError(400, 'Request decode failed: expected a JSON object');
  }
  return parsed as Record<string, unknown>;
}

/**
 * Reads a field the way Consul decodes request bodies: Go's JSON decoding matches field names
 * case-insensitively, and Consul also accepts snake_case spellings (deregister_critical_service_after).
 */
export function field(object: Record<string, unknown>, name: string): unknown {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(object)) {
    if (key.replace(/_/g, '').toLowerCase() === wanted) return value;
  }
  return undefined;
}

/** Query flags like `?passing` or `?recurse` count as set when present without a value, as in Consul. */
export function queryFlag(params: URLSearchParams, name: string): boolean {
  if (!params.has(name)) return false;
  const value = params.get(name) ?? '';
  return value === '' || !['0', 'false', 'f', 'F', 'FALSE', 'False'].includes(value);
}
