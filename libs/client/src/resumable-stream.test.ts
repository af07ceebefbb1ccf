import { resumableTaskStream, type Connect } from './resumable-stream';
import type { SocketEvent, StreamConnection } from './stream-socket';

const TASK_ID = '6f1c1a52-8f0e-4d38-9d7a-3f3d3b1f1a01';
const event = (seq: number): SocketEvent => ({
  kind: 'message',
  data: JSON.stringify({
    type: 'event',
    seq,
    data: {
      seq,
      event: {
        type: 'progress',
        eventId: '0b0a7a8e-5f44-4a55-8f7e-3c2f1e0d9c0' + String(seq % 10),
        taskId: TASK_ID,
        attempt: 1,
        agentId: 'a',
        at: '2025-01-01T00:00:00.000Z',
        progress: { done: seq },
      },
    },
  }),
});
const end = (seq: number): SocketEvent => ({
  kind: 'message',
  data: JSON.stringify({ type: 'end', seq, data: { taskId: TASK_ID, status: 'succeeded' } }),
});
const close = (code: number): SocketEvent => ({ kind: 'close', code, reason: '' });

/** Connections that replay scripted frames; records the query of every connect. */
function scriptedConnections(scripts: SocketEvent[][]) {
  const queries: Array<Record<string, string>> = [];
  let closed = 0;
  const connect: Connect = async (query) => {
    queries.push(query);
    const frames = [...(scripts.shift() ?? [close(1006)])];
    const connection: StreamConnection = {
      next: async () => frames.shift() ?? close(1006),
      close: () => void (closed += 1),
    };
    return connection;
  };
  return { connect, queries, closedCount: () => closed };
}

const seqsOf = async (stream: AsyncIterable<{ seq: number }>): Promise<number[]> => {
  const seqs: number[] = [];
  for await (const item of stream) seqs.push(item.seq);
  return seqs;
};

describe('resumableTaskStream', () => {
  it('resumes after a 4008 close with the last seq and drops repeated seqs', async () => {
    const { connect, queries } = scriptedConnections([
      [event(1), event(2), close(4008)],
      [event(2), event(3), end(3)],
    ]);
    expect(await seqsOf(resumableTaskStream(connect))).toEqual([1, 2, 3]);
    expect(queries).toEqual([{ after: '0' }, { after: '2' }]);
  });

  it('reconnects from history when a seq is skipped', async () => {
    const { connect, queries } = scriptedConnections([
      [event(1), event(3)],
      [event(2), event(3), end(3)],
    ]);
    expect(await seqsOf(resumableTaskStream(connect, { after: 0 }))).toEqual([1, 2, 3]);
    expect(queries).toEqual([{ after: '0' }, { after: '1' }]);
  });

  it('gives up after maxAttempts drops without progress', async () => {
    const { connect, queries } = scriptedConnections([]);
    await expect(
      seqsOf(resumableTaskStream(connect, { after: 5, reconnect: { maxAttempts: 3, initialDelayMs: 1 } })),
    ).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
    expect(queries).toHaveLength(4);
    expect(new Set(queries.map((query) => query['after']))).toEqual(new Set(['5']));
  });

  it('throws the error a stream reports', async () => {
    const { connect } = scriptedConnections([
      [
        {
          kind: 'message',
          data: JSON.stringify({ type: 'error', seq: 0, data: { code: 'FORBIDDEN', message: 'no' } }),
        },
      ],
    ]);
    await expect(seqsOf(resumableTaskStream(connect))).rejects.toMatchObject({
      code: 'FORBIDDEN',
      message: 'no',
    });
  });

  it('closes the connection when the consumer stops early', async () => {
    const { connect, closedCount } = scriptedConnections([[event(1), event(2), end(2)]]);
    for await (const item of resumableTaskStream(connect)) {
      expect(item.seq).toBe(1);
      break;
    }
    expect(closedCount()).toBe(1);
  });
});
