import { DEAD_LETTER_HEADERS, toSerializedError } from '@contextforge/contracts';
import type { BusMessage, OutgoingMessage } from '@contextforge/contracts';

export interface DeadLetterContext {
  group: string;
  error: unknown;
  /** How many times the handler was given this message. */
  attempts: number;
  at: Date;
}

/** Header values are cut here so one huge error message cannot make the record too big for a broker. */
const MAX_ERROR_MESSAGE_LENGTH = 1_000;

/** The message moved to `<topic>.dlq`: same key and value, original headers plus the reason. */
export function toDeadLetter(message: BusMessage, context: DeadLetterContext): OutgoingMessage {
  const error = toSerializedError(context.error);
  return {
    key: message.key,
    value: message.value,
    headers: {
      ...message.headers,
      [DEAD_LETTER_HEADERS.originalTopic]: message.topic,
      [DEAD_LETTER_HEADERS.group]: context.group,
      [DEAD_LETTER_HEADERS.errorCode]: error.code,
      [DEAD_LETTER_HEADERS.errorMessage]: error.message.slice(0, MAX_ERROR_MESSAGE_LENGTH),
      [DEAD_LETTER_HEADERS.attempts]: String(context.attempts),
      [DEAD_LETTER_HEADERS.at]: context.at.toISOString(),
    },
  };
}
