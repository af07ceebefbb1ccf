import { isRetryable, toSerializedError } from '@contextforge/contracts';
import type { BatchHandler, BusMessage } from '@contextforge/contracts';
import { backoffDelay, sleep } from '@contextforge/resilience';

/** Exponential, capped, "equal jitter" wait before retry number `retry` (1-based). */
function retryDelay(retry: number, policy: RetryPolicy): number {
  return backoffDelay(retry, { initialMs: policy.initialDelayMs, maxMs: policy.maxDelayMs, jitter: 'equal' });
}

/** Waits, or stops waiting when `signal` aborts (a leaving member must not wait out a backoff). */
function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return sleep(ms, signal).catch(() => undefined);
}
import type { BusLogger, RetryPolicy } from './bus-options';

export type DeadLetterPublisher = (
  message: BusMessage,
  error: unknown,
  attempts: number,
  options: { omitValue: boolean },
) => Promise<void>;

export interface ProcessBatchOptions {
  messages: readonly BusMessage[];
  handler: BatchHandler;
  group: string;
  retry: RetryPolicy;
  logger: BusLogger;
  /** False once the member left or lost the partition: stop and leave the rest uncommitted. */
  isActive: () => boolean;
  /** Aborts backoff waits when the member leaves. */
  signal: AbortSignal;
  /** Called after each backoff wait, e.g. to heartbeat the group so a long retry keeps the member in. */
  afterWait?: () => Promise<void>;
  /**
   * Moves one message to `<topic>.dlq`; `attempts` is how often the handler was given it. With
   * `omitValue` the letter carries no value (see DeadLetterContext.omitValue).
   */
  deadLetter: DeadLetterPublisher;
}

/**
 * The delivery policy both adapters share, for one batch of one partition:
 *
 * 1. Give the whole batch to the handler; it resolving acknowledges every message.
 * 2. A retryable throw: wait (exponential backoff + jitter) and give the batch again, up to
 *    `maxRetries` times.
 * 3. A non-retryable throw, or retries used up: isolate. Give the handler one message at a time,
 *    in order; each message that still throws is dead-lettered and the rest are acknowledged.
 *    A one-message batch is dead-lettered without the extra run.
 * 4. If the member leaves while the batch fails, stop: the unfinished messages stay
 *    unacknowledged so that another member gets them.
 *
 * Resolves with how many leading messages are finished (handled or dead-lettered); the caller
 * commits exactly those. Isolated messages get one run each: a transient failure during isolation
 * dead-letters that message rather than restarting the retry cycle per message.
 */
export async function processBatch(options: ProcessBatchOptions): Promise<number> {
  const { messages, handler, retry, logger } = options;
  let attempts = 0;
  let lastError: unknown;
  for (;;) {
    attempts += 1;
    try {
      await handler(messages);
      return messages.length;
    } catch (error) {
      lastError = error;
    }
    if (!options.isActive()) return 0;
    if (!isRetryable(lastError) || attempts > retry.maxRetries) break;
    const delayMs = retryDelay(attempts, retry);
    logger.warn(
      { ...where(options), attempts, delayMs, error: toSerializedError(lastError) },
      'bus handler failed; retrying the batch',
    );
    await pause(delayMs, options.signal);
    await options.afterWait?.();
    if (!options.isActive()) return 0;
  }

  const first = messages[0];
  if (messages.length === 1 && first) {
    return (await deadLetterUntilDone(options, first, lastError, attempts)) ? 1 : 0;
  }
  for (let index = 0; index < messages.length; index += 1) {
    const message = messages[index] as BusMessage;
    if (!options.isActive()) return index;
    try {
      await handler([message]);
    } catch (error) {
      if (!(await deadLetterUntilDone(options, message, error, attempts + 1))) return index;
    }
  }
  return messages.length;
}

/**
 * Dead-letters one message, retrying the DLQ publish with backoff while the member is active: a
 * message is never dropped because the dead-letter topic was briefly unavailable. A letter too
 * large for the bus (MESSAGE_TOO_LARGE, which no retry fixes) goes again without its value; if
 * even that is too large the message is logged as an error and acknowledged, so that one message
 * cannot stop its partition for good.
 */
async function deadLetterUntilDone(
  options: ProcessBatchOptions,
  message: BusMessage,
  error: unknown,
  attempts: number,
): Promise<boolean> {
  const serialized = toSerializedError(error);
  const position = { key: message.key, partition: message.partition, offset: message.offset };
  let omitValue = false;
  for (let tries = 1; options.isActive(); tries += 1) {
    try {
      await options.deadLetter(message, error, attempts, { omitValue });
      options.logger.warn(
        { ...where(options), ...position, attempts, error: serialized, ...(omitValue ? { omitValue } : {}) },
        'bus message dead-lettered',
      );
      return true;
    } catch (publishError) {
      if (toSerializedError(publishError).code === 'MESSAGE_TOO_LARGE') {
        if (!omitValue) {
          omitValue = true;
          continue;
        }
        options.logger.error(
          { ...where(options), ...position, attempts, error: serialized },
          'bus could not dead-letter a message even without its value (too large); acknowledging it',
        );
        return true;
      }
      const delayMs = retryDelay(Math.min(tries, 30), options.retry);
      options.logger.error(
        { ...where(options), key: message.key, delayMs, error: toSerializedError(publishError) },
        'bus could not dead-letter a message; trying again',
      );
      await pause(delayMs, options.signal);
      await options.afterWait?.();
    }
  }
  return false;
}

function where(options: ProcessBatchOptions): Record<string, unknown> {
  const first = options.messages[0];
  return {
    topic: first?.topic,
    group: options.group,
    partition: first?.partition,
    firstOffset: first?.offset,
    size: options.messages.length,
  };
}
