import type { StreamSink } from './run-task-stream';
import type { Sequenced, SequencedRing } from './sequenced-ring';

export interface RunFeedStreamOptions<T> {
  ring: SequencedRing<T>;
  /** The hub's epoch, sent on every message. */
  epoch: string;
  watch(listener: (entry: Sequenced<T>) => void): () => void;
  /** The current state, sent as a `snapshot` when the stream cannot be replayed. */
  snapshot(): Promise<unknown>;
  /** Resume point and the epoch it belongs to (both from the client's last message). */
  after?: number;
  resumeEpoch?: string;
  sink: StreamSink;
  signal: AbortSignal;
  /** Live events held while the snapshot is computed (default 1000); more ends the stream as slow. */
  maxPendingLive?: number;
}

export type FeedStreamOutcome = { reason: 'slow' | 'aborted'; lastSeq: number };

/**
 * One agents or metrics stream. Resume (`after` under this epoch, still in the retention
 * window) replays exactly the missed events; otherwise a `snapshot` covering everything up to
 * the ring's current seq comes first. Live events are watched before either, so none falls in
 * between; those already covered are dropped by seq. Runs until the peer goes away (`aborted`)
 * or falls behind on live events (`slow`).
 */
export async function runFeedStream<T>(options: RunFeedStreamOptions<T>): Promise<FeedStreamOutcome> {
  const { ring, epoch, sink, signal } = options;
  const maxPending = options.maxPendingLive ?? 1000;
  let pending: Sequenced<T>[] | undefined = [];
  let last = 0;
  let finish: ((outcome: FeedStreamOutcome) => void) | undefined;
  const done = new Promise<FeedStreamOutcome>((resolve) => (finish = resolve));
  let slow = false;

  const sendEvent = (entry: Sequenced<T>): void => {
    if (entry.seq <= last) return;
    sink.send({ type: 'event', seq: entry.seq, epoch, data: entry.data });
    last = entry.seq;
  };
  const unwatch = options.watch((entry) => {
    if (pending) {
      if (pending.length >= maxPending) slow = true;
      else pending.push(entry);
      return;
    }
    sendEvent(entry);
    if (sink.congested()) finish?.({ reason: 'slow', lastSeq: last });
  });
  const onAbort = (): void => finish?.({ reason: 'aborted', lastSeq: last });
  signal.addEventListener('abort', onAbort);

  try {
    const current = ring.lastSeq;
    const replay =
      options.after !== undefined && options.resumeEpoch === epoch ? ring.since(options.after) : undefined;
    if (replay) {
      last = options.after ?? 0;
      for (const entry of replay) sendEvent(entry);
    } else {
      const data = await options.snapshot();
      if (signal.aborted) return { reason: 'aborted', lastSeq: last };
      sink.send({ type: 'snapshot', seq: current, epoch, data });
      last = current;
    }
    const held = pending;
    pending = undefined;
    if (slow) return { reason: 'slow', lastSeq: last };
    for (const entry of held) sendEvent(entry);
    if (sink.congested()) return { reason: 'slow', lastSeq: last };
    if (signal.aborted) return { reason: 'aborted', lastSeq: last };
    return await done;
  } finally {
    unwatch();
    signal.removeEventListener('abort', onAbort);
  }
}
