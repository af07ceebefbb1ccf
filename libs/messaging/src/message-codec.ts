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

/** A value that does not parse is still delivered (as its text) so the handler can dead-letter it. */
export function decodeValue(json: string | null | undefined): unknown {
  if (json === null || json === undefined) return null;
  try {
    return JSON.parse(json);
  } catch {
    return json;
  }
}
