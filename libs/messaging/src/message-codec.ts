import { AppError } from '@contextforge/contracts';
import type { OutgoingMessage } from '@contextforge/contracts';

/**
 * Both adapters carry values as JSON text, so a value that survives the memory bus survives Kafka
 * too (a Date arrives as a string in both) and no consumer shares an object with the publisher.
 */
export function encodeValue(topic: string, message: OutgoingMessage): string {
  if (typeof message.key !== 'string') {
    throw new AppError('VALIDATION_FAILED', `message for ${topic} has no string key`);
  }
  let json: string | undefined;
  try {
    json = JSON.stringify(message.value);
  } catch (error) {
    throw new AppError('VALIDATION_FAILED', `message ${message.key} for ${topic} is not JSON-serialisable`, {
      cause: error,
    });
  }
  if (json === undefined) {
    throw new AppError('VALIDATION_FAILED', `message ${message.key} for ${topic} has no JSON value`);
  }
  return json;
}

export function validateHeaders(topic: string, message: OutgoingMessage): Record<string, string> {
  const headers = message.headers ?? {};
  for (const name in headers) {
    if (typeof headers[name] !== 'string') {
      throw new AppError(
        'VALIDATION_FAILED',
        `header ${name} of message ${message.key} for ${topic} is not a string`,
      );
    }
  }
  return headers;
}

/** Kafka's default `message.max.bytes` is 1,048,588; the bus's default limit stays below it. */
export const DEFAULT_MAX_MESSAGE_BYTES = 1_000_000;

/** Kafka's record batch header (magic 2) and the most a record's own varint fields take. */
const BATCH_HEADER_BYTES = 61;
const RECORD_FIELDS_BYTES = 36;
const HEADER_FIELDS_BYTES = 10;

/**
 * What one message costs, counted as a broker counts it against `message.max.bytes`, from above:
 * the UTF-8 bytes of key, value and header names and values, plus the framing of a record batch
 * holding only this record (61-byte batch header; length, attributes, timestamp and offset deltas,
 * key, value and header-count varints at their widest; two length varints per header). The bus
 * does not compress, so this bounds what the broker sees.
 */
export function encodedSize(key: string, json: string, headers: Readonly<Record<string, string>>): number {
  let bytes = BATCH_HEADER_BYTES + RECORD_FIELDS_BYTES + Buffer.byteLength(key) + Buffer.byteLength(json);
  for (const name in headers) {
    bytes += HEADER_FIELDS_BYTES + Buffer.byteLength(name) + Buffer.byteLength(headers[name] as string);
  }
  return bytes;
}

export interface EncodedMessage {
  key: string;
  json: string;
  headers: Record<string, string>;
  /** encodedSize of the message. */
  bytes: number;
}

/**
 * What both adapters publish: the key, the value as JSON text and the headers, validated, and
 * measured against `maxBytes`. A larger message is MESSAGE_TOO_LARGE (not retryable: the same
 * message is as large the next time).
 */
export function encodeMessage(topic: string, message: OutgoingMessage, maxBytes: number): EncodedMessage {
  const json = encodeValue(topic, message);
  const headers = validateHeaders(topic, message);
  const bytes = encodedSize(message.key, json, headers);
  if (bytes > maxBytes) {
    throw new AppError(
      'MESSAGE_TOO_LARGE',
      `message ${message.key} for ${topic} is ${bytes} bytes encoded, more than the bus accepts ` +
        `(${maxBytes} bytes, coordinator.queue.max_message_bytes)`,
      { details: { topic, key: message.key, bytes, maxBytes } },
    );
  }
  return { key: message.key, json, headers, bytes };
}

/** A value that does not parse is still delivered (as its text) so the handler can dead-letter it. */
export function decodeValue(json: string | null | undefined): unknown {
  if (json === null || json === undefined) return null;
  try {
    return JSON.parse(json);
  } catch {
    return json;
  }
}
