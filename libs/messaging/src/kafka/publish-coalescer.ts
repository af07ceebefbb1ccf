import type { Message } from 'kafkajs';
import { encodedSize } from '../message-codec';

/** Messages for one topic, in publish order. */
export interface TopicBatch {
  topic: string;
  messages: Message[];
}

/** One produce request carries at most this many messages (or bytes), far below broker limits. */
export const MAX_SEND_MESSAGES = 1_000;
export const MAX_SEND_BYTES = 512 * 1024;

/**
 * How much one produce request may carry. A request's messages for one partition travel as one
 * record batch, which the broker holds against `message.max.bytes`; so with a message limit below
 * MAX_SEND_BYTES a request carries at most that much (one message alone may fill a request).
 */
export interface RequestLimits {
  messages: number;
  bytes: number;
}

export function requestLimits(maxMessageBytes: number): RequestLimits {
  return { messages: MAX_SEND_MESSAGES, bytes: Math.min(MAX_SEND_BYTES, maxMessageBytes) };
}

export interface PublishCoalescerOptions {
  /**
   * How long an idle coalescer waits after the first publish before it sends (Kafka's
   * `linger.ms`): 0 (the default) sends at once; a few ms lets publishes made meanwhile share the request.
   */
  lingerMs?: number;
  /** Default requestLimits of Kafka's default message size. */
  limits?: RequestLimits;
}

interface Pending {
  topic: string;
  messages: Message[];
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * Coalesces the publishes of one process into as few produce requests as the load allows: while a
 * request is on its way, publishes queue; when it is acknowledged, everything queued goes in the
 * next request (several topics at once). An idle bus sends at once, so nothing waits for a timer,
 * and under load a request carries many small messages instead of one each (a task's events are
 * a few hundred bytes; a request per event was the cluster's bottleneck, measured).
 *
 * Guarantees kept: a publish resolves only when the request carrying its messages was
 * acknowledged (acks as `send` asks), and rejects with that request's error; messages of one
 * topic keep their publish order (one request at a time, queued in order).
 */
export class PublishCoalescer {
  private pending: Pending[] = [];
  private flushing = false;
  private readonly lingerMs: number;
  private readonly limits: RequestLimits;

  constructor(
    private readonly send: (batches: TopicBatch[]) => Promise<void>,
    options: PublishCoalescerOptions = {},
  ) {
    this.lingerMs = options.lingerMs ?? 0;
    this.limits = options.limits ?? { messages: MAX_SEND_MESSAGES, bytes: MAX_SEND_BYTES };
  }

  publish(topic: string, messages: Message[]): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ topic, messages, resolve, reject });
      if (this.flushing) return;
      this.flushing = true;
      if (this.lingerMs > 0) setTimeout(() => void this.flush(), this.lingerMs);
      else void this.flush();
    });
  }

  private async flush(): Promise<void> {
    try {
      while (this.pending.length > 0) {
        const taken = takeRequest(this.pending, this.limits);
        this.pending = this.pending.slice(taken.count);
        try {
          await this.send(taken.batches);
          for (const entry of taken.entries) entry.resolve();
        } catch (error) {
          for (const entry of taken.entries) entry.reject(error);
        }
      }
    } finally {
      this.flushing = false;
    }
  }
}

/**
 * The first publishes that fit one request (always at least one publish, split further by the
 * size limits when it alone is too big), grouped by topic in order.
 */
function takeRequest(
  pending: readonly Pending[],
  limits: RequestLimits,
): {
  entries: Pending[];
  count: number;
  batches: TopicBatch[];
} {
  const entries: Pending[] = [];
  const byTopic = new Map<string, Message[]>();
  let messages = 0;
  let bytes = 0;
  for (const entry of pending) {
    const size = entry.messages.reduce((sum, message) => sum + sizeOf(message), 0);
    const fits = messages + entry.messages.length <= limits.messages && bytes + size <= limits.bytes;
    if (entries.length > 0 && !fits) break;
    entries.push(entry);
    messages += entry.messages.length;
    bytes += size;
    const list = byTopic.get(entry.topic) ?? [];
    list.push(...entry.messages);
    byTopic.set(entry.topic, list);
  }
  return {
    entries,
    count: entries.length,
    batches: [...byTopic].map(([topic, list]) => ({ topic, messages: list })),
  };
}

/** encodedSize of a message the bus built (string key, value and headers). */
export function sizeOf(message: Message): number {
  return encodedSize(
    String(message.key ?? ''),
    String(message.value ?? ''),
    (message.headers ?? {}) as Record<string, string>,
  );
}

/** The messages of one topic in requests within `limits`, in order; an oversized message goes alone. */
export function* chunks(messages: readonly Message[], limits: RequestLimits): Generator<Message[]> {
  let chunk: Message[] = [];
  let bytes = 0;
  for (const message of messages) {
    const size = sizeOf(message);
    if (chunk.length > 0 && (chunk.length >= limits.messages || bytes + size > limits.bytes)) {
      yield chunk;
      chunk = [];
      bytes = 0;
    }
    chunk.push(message);
    bytes += size;
  }
  if (chunk.length > 0) yield chunk;
}
