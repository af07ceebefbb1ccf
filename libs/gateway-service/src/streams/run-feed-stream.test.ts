import { runFeedStream } from './run-feed-stream';
import type { StreamSink } from './run-task-stream';
import { SequencedRing, type Sequenced } from './sequenced-ring';
import type { StreamMessage } from './stream-message';

function harness(congestAt?: number) {
  const ring = new SequencedRing<string>({ maxEntries: 5 });
  const listeners = new Set<(entry: Sequenced<string>) => void>();
  const sent: StreamMessage[] = [];
  const sink: StreamSink = {
    send: (message) => void sent.push(message),
    congested: () => congestAt !== undefined && sent.length >= congestAt,
    drained: async () => undefined,
  };
  const publish = (data: string): void => {
    const entry = ring.append(data);
    for (const listener of listeners) listener(entry);
  };
  const watch = (listener: (entry: Sequenced<string>) => void) => {
    listeners.add(listener);
    return () => listeners.delete(listener);
  };
  return { ring, sent, sink, publish, watch, listeners };
}

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('runFeedStream', () => {
  it('starts with a snapshot covering the current seq, then live events', async () => {
    const h = harness();
    h.publish('a');
    h.publish('b');
    const abort = new AbortController();
    const done = runFeedStream({ ...h, epoch: 'E1', snapshot: async () => ['state'], signal: abort.signal });
    await tick();
    h.publish('c');
    abort.abort();
    await expect(done).resolves.toEqual({ reason: 'aborted', lastSeq: 3 });
    expect(h.sent).toEqual([
      { type: 'snapshot', seq: 2, epoch: 'E1', data: ['state'] },
      { type: 'event', seq: 3, epoch: 'E1', data: 'c' },
    ]);
    expect(h.listeners.size).toBe(0);
  });

  it('replays exactly the missed events when resumed within the epoch and retention', async () => {
    const h = harness();
    ['a', 'b', 'c', 'd'].forEach((data) => h.publish(data));
    const abort = new AbortController();
    const done = runFeedStream({
      ...h,
      epoch: 'E1',
      after: 2,
      resumeEpoch: 'E1',
      snapshot: async () => {
        throw new Error('no snapshot expected');
      },
      signal: abort.signal,
    });
    await tick();
    h.publish('e');
    abort.abort();
    await done;
    expect(h.sent.map((message) => [message.type, message.seq, message.data])).toEqual([
      ['event', 3, 'c'],
      ['event', 4, 'd'],
      ['event', 5, 'e'],
    ]);
  });

  it.each([
    ['another epoch', { after: 2, resumeEpoch: 'OLD' }],
    ['a point outside retention', { after: 1, resumeEpoch: 'E1' }],
    ['a point in the future', { after: 99, resumeEpoch: 'E1' }],
  ])('sends a snapshot instead for %s', async (_label, resume) => {
    const h = harness();
    for (let index = 0; index < 8; index += 1) h.publish(`v${index}`);
    const abort = new AbortController();
    const done = runFeedStream({
      ...h,
      epoch: 'E1',
      ...resume,
      snapshot: async () => 'now',
      signal: abort.signal,
    });
    await tick();
    abort.abort();
    await done;
    expect(h.sent).toEqual([{ type: 'snapshot', seq: 8, epoch: 'E1', data: 'now' }]);
  });

  it('sends events that arrive while the snapshot is computed, without repeating covered ones', async () => {
    const h = harness();
    h.publish('a');
    let finishSnapshot!: (value: string) => void;
    const abort = new AbortController();
    const done = runFeedStream({
      ...h,
      epoch: 'E1',
      snapshot: () => new Promise<string>((resolve) => (finishSnapshot = resolve)),
      signal: abort.signal,
    });
    await tick();
    h.publish('b');
    finishSnapshot('state');
    await tick();
    abort.abort();
    await done;
    expect(h.sent.map((message) => [message.type, message.seq])).toEqual([
      ['snapshot', 1],
      ['event', 2],
    ]);
  });

  it('ends as slow when a live event leaves the sink congested', async () => {
    const h = harness(2);
    const done = runFeedStream({
      ...h,
      epoch: 'E1',
      snapshot: async () => 's',
      signal: new AbortController().signal,
    });
    await tick();
    h.publish('a');
    await expect(done).resolves.toEqual({ reason: 'slow', lastSeq: 1 });
  });
});
