import { DEFAULT_MAX_MESSAGE_BYTES } from './message-codec';

/**
 * Options shared by every MessageBus adapter: how failed batches are retried and where the bus
 * logs what it decides (retries, dead-letters, abandoned batches).
 */

/**
 * How a batch whose handler throws a retryable error is retried: `maxRetries` further attempts
 * after the first, waiting `initialDelayMs * 2^(n-1)` capped at `maxDelayMs`, with jitter (the
 * wait is drawn between half and all of that). After the last retry, or at once for a
 * non-retryable error, the batch is isolated and what still fails is dead-lettered.
 */
export interface RetryPolicy {
  maxRetries: number;
  initialDelayMs: number;
  maxDelayMs: number;
}

/** How long waitForGroup waits by default (the port's documented 60 s). */
export const DEFAULT_WAIT_FOR_GROUP_MS = 60_000;

export const DEFAULT_RETRY_POLICY: Readonly<RetryPolicy> = Object.freeze({
  maxRetries: 3,
  initialDelayMs: 20,
  maxDelayMs: 1_000,
});

/** The subset of a pino logger the bus uses; pino's `logger.child({ component: 'bus' })` fits. */
export interface BusLogger {
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
}

export const SILENT_LOGGER: BusLogger = Object.freeze({
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
});

/** Where a bus reports what it sees of its consumers (MetricsRegistry from libs/observability fits). */
export interface BusMetrics {
  /** Messages behind the high watermark of one subscription's topic for its group, summed over partitions. */
  setConsumerLag(topic: string, group: string, messages: number): void;
  /**
   * A member's position on a partition was out of range and it restarted at the earliest
   * retained offset (`resets` 1 per partition); called with 0 at subscribe to create the series.
   */
  countOffsetResets(topic: string, group: string, resets: number): void;
}

export interface CommonBusOptions {
  retry?: Partial<RetryPolicy>;
  logger?: BusLogger;
  metrics?: BusMetrics;
  /**
   * The largest message publish accepts, as `encodedSize` counts it (default 1,000,000 bytes,
   * below Kafka's default `message.max.bytes` of 1,048,588). Keep it at or below the brokers' and
   * topics' limit; a larger message fails its publish with MESSAGE_TOO_LARGE.
   */
  maxMessageBytes?: number;
}

export function resolveMaxMessageBytes(maxMessageBytes: number | undefined): number {
  const bytes = maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
  if (!Number.isInteger(bytes) || bytes < MIN_MESSAGE_BYTES) {
    throw new RangeError(`maxMessageBytes must be an integer >= ${MIN_MESSAGE_BYTES}, got ${bytes}`);
  }
  return bytes;
}

/** Room for a record's framing and a dead letter's headers; anything smaller is a mistake. */
export const MIN_MESSAGE_BYTES = 1_024;

export function resolveRetryPolicy(retry: Partial<RetryPolicy> | undefined): RetryPolicy {
  const policy = { ...DEFAULT_RETRY_POLICY, ...retry };
  const valid =
    Number.isInteger(policy.maxRetries) &&
    policy.maxRetries >= 0 &&
    policy.initialDelayMs >= 0 &&
    policy.maxDelayMs >= policy.initialDelayMs;
  if (!valid) {
    throw new RangeError(
      `invalid retry policy ${JSON.stringify(policy)}: expected integer maxRetries >= 0 and 0 <= initialDelayMs <= maxDelayMs`,
    );
  }
  return policy;
}
