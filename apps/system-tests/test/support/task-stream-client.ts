import WebSocket from 'ws';
import type { GatewayAccess } from './cluster-system';

/** One frame of a WebSocket stream (libs/gateway-service/src/streams/stream-message.ts). */
export interface StreamFrame {
  type: 'event' | 'snapshot' | 'error' | 'end';
  seq: number;
  data: unknown;
}

/**
 * Opens /tasks/stream/{id}?after=N with the client token and collects frames until the server
 * closes the stream or `stopAfter` frames arrived (then the client closes it, as a client that
 * disconnects mid-stream does). Resolves with the frames and the close code.
 */
export function readTaskStream(
  gateway: GatewayAccess,
  taskId: string,
  options: { after?: number; stopAfter?: number } = {},
): Promise<{ frames: StreamFrame[]; closeCode: number }> {
  const url = `${gateway.url.replace(/^http/, 'ws')}/tasks/stream/${taskId}?after=${options.after ?? 0}`;
  const socket = new WebSocket(url, { headers: { authorization: `Bearer ${gateway.token}` } });
  const frames: StreamFrame[] = [];
  return new Promise((resolve, reject) => {
    socket.on('message', (data) => {
      frames.push(JSON.parse(String(data)) as StreamFrame);
      if (options.stopAfter !== undefined && frames.length === options.stopAfter) socket.close(1000);
    });
    socket.on('close', (code) => resolve({ frames, closeCode: code }));
    socket.on('error', reject);
  });
}
