import { z } from 'zod';

/**
 * Payloads by reference. A bus message (Kafka's default limit is 1 MB per message) never carries
 * a task input or output whose JSON is larger than the inline limit (`payloads.inline_limit`):
 * - an agent stores such an output in the result-store first (PayloadStore) and its `succeeded`
 *   event carries the payload's id (`outputRef`) instead of the output;
 * - a submission's input is stored with its task and reaches agents by dispatch (HTTP or
 *   in-process), never over the bus;
 * - the task-changes messages leave out inputs and outputs above the limit (task-stream.ts).
 */

/** The default inline limit: 64 KiB of JSON (UTF-8 bytes). */
export const DEFAULT_INLINE_LIMIT_BYTES = 64 * 1024;

/** A payload id (random, assigned by the store). */
export const PayloadIdSchema = z.string().min(1).max(100);

/**
 * The size of a value as the bus would carry it: the UTF-8 bytes of its JSON (0 for undefined,
 * which JSON leaves out).
 */
export function jsonByteLength(value: unknown): number {
  const text = JSON.stringify(value) as string | undefined;
  return text === undefined ? 0 : Buffer.byteLength(text, 'utf8');
}

/** Whether a value's JSON is larger than `inlineLimitBytes` (and so must travel by reference). */
export function exceedsInlineLimit(value: unknown, inlineLimitBytes: number): boolean {
  // Cheap first: a JSON text of n UTF-16 units has between n and 3n UTF-8 bytes.
  const text = JSON.stringify(value) as string | undefined;
  if (text === undefined || text.length * 3 <= inlineLimitBytes) return false;
  return text.length > inlineLimitBytes || Buffer.byteLength(text, 'utf8') > inlineLimitBytes;
}
