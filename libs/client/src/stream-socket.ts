import { AsyncQueue } from './async-queue';
import { ContextForgeError, errorFromAnswer } from './contextforge-error';

/** What a stream connection reports: a text frame, or the close (always the last event). */
export type SocketEvent = { kind: 'message'; data: string } | { kind: 'close'; code: number; reason: string };

/** One open WebSocket, read as a sequence of events. */
export interface StreamConnection {
  /** The next frame or the close; after the close, no more events come. */
  next(): Promise<SocketEvent>;
  close(): void;
}

/** Credentials to present on the upgrade. */
export interface StreamCredentials {
  token?: string;
  apiKey?: string;
}

/**
 * Opens a stream URL (ws:// or wss://). Rejects with a ContextForgeError when the upgrade is
 * refused (the gateway's HTTP error answer: 401, 404, 429...) or the gateway cannot be reached.
 */
export type OpenStreamSocket = (url: string, credentials: StreamCredentials) => Promise<StreamConnection>;

/** The sub-protocol the gateway picks when offered (libs/gateway-service stream-server.ts). */
export const STREAM_SUBPROTOCOL = 'contextforge.v1';

/**
 * The default: the `ws` package in Node (credentials in headers, the refused upgrade's status and
 * error body are read), the global WebSocket elsewhere (browsers cannot set headers, so the
 * credential goes in `?access_token=`, and a refused upgrade is only "could not connect").
 */
export function defaultOpenStreamSocket(): OpenStreamSocket {
  const isNode = typeof process !== 'undefined' && typeof process.versions?.node === 'string';
  return isNode ? openWithWs : openWithGlobalWebSocket;
}

const openWithWs: OpenStreamSocket = async (url, credentials) => {
  const { default: WebSocket } = await import('ws');
  const headers: Record<string, string> = {};
  if (credentials.token !== undefined) headers['authorization'] = `Bearer ${credentials.token}`;
  if (credentials.apiKey !== undefined) headers['x-api-key'] = credentials.apiKey;
  const ws = new WebSocket(url, [STREAM_SUBPROTOCOL], { headers, perMessageDeflate: false });
  const events = new AsyncQueue<SocketEvent>();
  ws.on('message', (data: Buffer | ArrayBuffer | Buffer[]) =>
    events.push({ kind: 'message', data: Buffer.isBuffer(data) ? data.toString('utf8') : String(data) }),
  );
  ws.on('close', (code: number, reason: Buffer) =>
    events.push({ kind: 'close', code, reason: reason.toString('utf8') }),
  );
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('unexpected-response', (request, response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        request.destroy();
        const headerOf = (name: string): string | null => {
          const value = response.headers[name];
          return typeof value === 'string' ? value : null;
        };
        reject(
          errorFromAnswer(
            response.statusCode ?? 0,
            { get: headerOf },
            Buffer.concat(chunks).toString('utf8'),
            `stream ${new URL(url).pathname}`,
          ),
        );
      });
      response.on('error', (error) => reject(unreachable(url, error)));
    });
    ws.once('error', (error) => reject(unreachable(url, error)));
  });
  // After the open, a socket error is always followed by a close event.
  ws.on('error', () => undefined);
  return {
    next: () => events.shift(),
    close: () => {
      if (ws.readyState === WebSocket.OPEN || ws.readyState === WebSocket.CONNECTING) ws.close(1000);
    },
  };
};

/** The part of the WHATWG WebSocket this client uses (the DOM lib is not part of the build). */
interface WhatwgWebSocket {
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: { code: number; reason: string }) => void) | null;
  onerror: ((event: unknown) => void) | null;
  close(code?: number): void;
}
type WhatwgWebSocketConstructor = new (url: string, protocols?: string[]) => WhatwgWebSocket;

const openWithGlobalWebSocket: OpenStreamSocket = (url, credentials) => {
  const Constructor = (globalThis as { WebSocket?: WhatwgWebSocketConstructor }).WebSocket;
  if (!Constructor) {
    return Promise.reject(
      new ContextForgeError('SERVICE_UNAVAILABLE', 'no WebSocket implementation in this environment', {
        status: 0,
      }),
    );
  }
  const target = new URL(url);
  const secret = credentials.token ?? credentials.apiKey;
  if (secret !== undefined) target.searchParams.set('access_token', secret);
  const ws = new Constructor(target.toString(), [STREAM_SUBPROTOCOL]);
  const events = new AsyncQueue<SocketEvent>();
  return new Promise<StreamConnection>((resolve, reject) => {
    let opened = false;
    ws.onopen = () => {
      opened = true;
      resolve({ next: () => events.shift(), close: () => ws.close(1000) });
    };
    ws.onmessage = (event) => events.push({ kind: 'message', data: String(event.data) });
    ws.onclose = (event) => {
      if (!opened) reject(unreachable(url, new Error(`closed with ${event.code} before opening`)));
      events.push({ kind: 'close', code: event.code, reason: event.reason });
    };
    ws.onerror = () => {
      if (!opened) reject(unreachable(url, new Error('the WebSocket could not be opened')));
    };
  });
};

function unreachable(url: string, cause: unknown): ContextForgeError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new ContextForgeError('SERVICE_UNAVAILABLE', `cannot open stream ${url}: ${reason}`, {
    status: 0,
    details: { reason },
    cause,
  });
}
