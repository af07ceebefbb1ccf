import { request, type Agent } from 'node:https';
import type { ConnectionOptions } from 'node:tls';

export interface HttpsAnswer {
  status: number;
  text: string;
}

/**
 * One HTTPS request with explicit TLS options (fetch in Node 20 cannot take a client certificate
 * or a CA). Rejects on connection, TLS or abort errors; resolves with any HTTP status.
 */
export function httpsRequest(
  url: URL,
  init: {
    method: string;
    headers: Record<string, string>;
    body?: string;
    signal?: AbortSignal;
    tls: ConnectionOptions;
    agent: Agent;
  },
): Promise<HttpsAnswer> {
  return new Promise((resolve, reject) => {
    if (init.signal?.aborted) {
      reject(init.signal.reason instanceof Error ? init.signal.reason : new Error('aborted'));
      return;
    }
    const req = request(
      url,
      {
        ...(init.tls as object),
        method: init.method,
        headers: {
          ...init.headers,
          ...(init.body === undefined ? {} : { 'content-length': String(Buffer.byteLength(init.body)) }),
        },
        agent: init.agent,
        ...(init.signal ? { signal: init.signal } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(init.body);
  });
}
