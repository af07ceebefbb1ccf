import {
  StreamMessageSchema,
  TaskStreamEventSchema,
  isErrorCode,
  type StreamMessage,
  type TaskStreamEvent,
} from '@contextforge/contracts';
import type { z } from 'zod';
import { ContextForgeError } from './contextforge-error';
import type { StreamConnection } from './stream-socket';

/** How a stream reconnects after the connection drops (4008 slow consumer, 1001, a network error). */
export interface ReconnectOptions {
  /** Consecutive attempts without receiving anything before giving up (default 8). */
  maxAttempts?: number;
  /** First delay after a failed attempt, doubled each time with jitter (default 100 ms). */
  initialDelayMs?: number;
  /** Cap of the delay (default 5,000 ms). */
  maxDelayMs?: number;
}

export interface StreamTaskOptions {
  /** Resume point: only events with a larger seq are delivered (default 0: from the first). */
  after?: number;
  /** Ends the iteration (without an error) when aborted. */
  signal?: AbortSignal;
  /** `false` to throw instead of reconnecting. */
  reconnect?: ReconnectOptions | false;
}

export interface StreamFeedOptions {
  /** Resume point from an earlier stream's last message (both, or neither). */
  after?: number;
  epoch?: string;
  signal?: AbortSignal;
  reconnect?: ReconnectOptions | false;
}

/**
 * One message of /agents/stream or /metrics/stream: a `snapshot` (the whole state up to `seq`;
 * replace what you hold) or an `event` (one change after it). Keep `seq` and `epoch` of the last
 * one to resume a later stream without a new snapshot.
 */
export type FeedMessage<TSnapshot, TEvent> =
  | { type: 'snapshot'; seq: number; epoch: string; data: TSnapshot }
  | { type: 'event'; seq: number; epoch: string; data: TEvent };

/** Opens one connection for the given resume point. */
export type Connect = (query: Record<string, string>) => Promise<StreamConnection>;

/**
 * Every event of a task after `after`, in seq order, each exactly once, across reconnects: after
 * a drop it reconnects with `after=<last seq received>` (the task's history is durable, so nothing
 * is lost), and drops a seq it already has. Ends after the event that made the task final.
 * Throws a ContextForgeError for a refused stream (401, 404...) and an `error` message, or once
 * reconnecting failed `maxAttempts` times in a row.
 */
export async function* resumableTaskStream(
  connect: Connect,
  options: StreamTaskOptions = {},
): AsyncGenerator<TaskStreamEvent, void, undefined> {
  let last = options.after ?? 0;
  const retry = new Reconnects(options.reconnect);
  for (;;) {
    const connection = await retry.open(() => connect({ after: String(last) }), options.signal);
    if (!connection) return;
    try {
      for (;;) {
        const message = await nextMessage(connection, options.signal);
        if (message === 'aborted') return;
        if (message === 'closed') break;
        if (message.type === 'error') throw streamError(message);
        if (message.type === 'end') return;
        if (message.type !== 'event') continue;
        const event = parseData(TaskStreamEventSchema, message.data, 'task stream event');
        if (event.seq <= last) continue;
        // The server sends contiguous seqs; a gap means something went wrong: resume from history.
        if (event.seq !== last + 1) break;
        retry.progressed();
        last = event.seq;
        yield event;
      }
    } finally {
      connection.close();
    }
    await retry.backOff(options.signal);
  }
}

/**
 * /agents/stream or /metrics/stream, reconnecting forever (within `maxAttempts` failures in a row)
 * with the last seq and epoch, so the gateway replays what was missed or sends a new snapshot.
 * Runs until the signal aborts or the consumer stops iterating.
 */
export async function* resumableFeedStream<TSnapshot, TEvent>(
  connect: Connect,
  schemas: { snapshot: z.ZodType<TSnapshot>; event: z.ZodType<TEvent> },
  options: StreamFeedOptions = {},
): AsyncGenerator<FeedMessage<TSnapshot, TEvent>, void, undefined> {
  let last = options.after;
  let epoch = options.epoch;
  const retry = new Reconnects(options.reconnect);
  for (;;) {
    const query: Record<string, string> =
      last !== undefined && epoch !== undefined ? { after: String(last), epoch } : {};
    const connection = await retry.open(() => connect(query), options.signal);
    if (!connection) return;
    try {
      for (;;) {
        const message = await nextMessage(connection, options.signal);
        if (message === 'aborted') return;
        if (message === 'closed') break;
        if (message.type === 'error') throw streamError(message);
        const messageEpoch = message.epoch ?? '';
        if (message.type === 'snapshot') {
          const data = parseData(schemas.snapshot, message.data, 'stream snapshot');
          retry.progressed();
          last = message.seq;
          epoch = messageEpoch;
          yield { type: 'snapshot', seq: message.seq, epoch: messageEpoch, data };
        } else if (message.type === 'event') {
          if (messageEpoch === epoch && last !== undefined && message.seq <= last) continue;
          const data = parseData(schemas.event, message.data, 'stream event');
          retry.progressed();
          last = message.seq;
          epoch = messageEpoch;
          yield { type: 'event', seq: message.seq, epoch: messageEpoch, data };
        }
      }
    } finally {
      connection.close();
    }
    await retry.backOff(options.signal);
  }
}

/** Consecutive failure counting and back-off shared by both stream kinds. */
class Reconnects {
  private failures = 0;
  private readonly maxAttempts: number;
  private readonly initialDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly enabled: boolean;

  constructor(options: ReconnectOptions | false | undefined) {
    this.enabled = options !== false;
    const settings = options || {};
    this.maxAttempts = settings.maxAttempts ?? 8;
    this.initialDelayMs = settings.initialDelayMs ?? 100;
    this.maxDelayMs = settings.maxDelayMs ?? 5_000;
  }

  progressed(): void {
    this.failures = 0;
  }

  /** Opens a connection, retrying refusals that may pass later (unreachable, 429, 503); undefined if aborted. */
  async open(
    attempt: () => Promise<StreamConnection>,
    signal: AbortSignal | undefined,
  ): Promise<StreamConnection | undefined> {
    for (;;) {
      if (signal?.aborted) return undefined;
      try {
        return await attempt();
      } catch (error) {
        const retryable =
          error instanceof ContextForgeError &&
          (error.status === 0 || error.status === 429 || error.status === 503);
        if (!retryable || !this.enabled || this.failures + 1 >= this.maxAttempts) throw error;
        await this.backOff(signal, error.retryAfterMs);
      }
    }
  }

  /** Waits before the next attempt: at once after a drop that followed progress, then growing. */
  async backOff(signal: AbortSignal | undefined, atLeastMs = 0): Promise<void> {
    if (!this.enabled) {
      throw new ContextForgeError('SERVICE_UNAVAILABLE', 'the stream closed before it ended', { status: 0 });
    }
    this.failures += 1;
    if (this.failures > this.maxAttempts) {
      throw new ContextForgeError(
        'SERVICE_UNAVAILABLE',
        `the stream dropped ${this.maxAttempts} times in a row without progress`,
        { status: 0 },
      );
    }
    const exponential =
      this.failures === 1 ? 0 : Math.min(this.maxDelayMs, this.initialDelayMs * 2 ** (this.failures - 2));
    const delay = Math.max(atLeastMs, exponential * (0.5 + Math.random() / 2));
    if (delay > 0) await sleep(delay, signal);
  }
}

async function nextMessage(
  connection: StreamConnection,
  signal: AbortSignal | undefined,
): Promise<StreamMessage | 'closed' | 'aborted'> {
  if (signal?.aborted) return 'aborted';
  let onAbort: (() => void) | undefined;
  const aborted = signal
    ? new Promise<'aborted'>((resolve) => {
        onAbort = () => resolve('aborted');
        signal.addEventListener('abort', onAbort, { once: true });
      })
    : undefined;
  try {
    const event = await (aborted ? Promise.race([connection.next(), aborted]) : connection.next());
    if (event === 'aborted') return 'aborted';
    if (event.kind === 'close') return 'closed';
    let json: unknown;
    try {
      json = JSON.parse(event.data);
    } catch {
      throw contractError('stream message', [{ path: '(root)', message: 'not JSON' }]);
    }
    return parseData(StreamMessageSchema, json, 'stream message') as StreamMessage;
  } finally {
    if (onAbort) signal?.removeEventListener('abort', onAbort);
  }
}

function parseData<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw contractError(
    what,
    parsed.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message })),
  );
}

function contractError(what: string, issues: Array<{ path: string; message: string }>): ContextForgeError {
  return new ContextForgeError('INTERNAL', `the gateway sent a ${what} this client does not understand`, {
    status: 200,
    details: { issues },
  });
}

function streamError(message: StreamMessage): ContextForgeError {
  const data = (message.data ?? {}) as { code?: unknown; message?: unknown };
  const code = isErrorCode(data.code) ? data.code : 'INTERNAL';
  return new ContextForgeError(code, typeof data.message === 'string' ? data.message : 'stream error', {
    status: 200,
  });
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
