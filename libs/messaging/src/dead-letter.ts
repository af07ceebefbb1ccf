import { DEAD_LETTER_HEADERS, toSerializedError } from '@contextforge/contracts';
import type { BusMessage, OutgoingMessage } from '@contextforge/contracts';

export interface DeadLetterContext {
  group: string;
  error: unknown;
  /** How many times the handler was given this message. */
  attempts: number;
  at: Date;
  /**
   * Send the letter with a null value: the full letter was MESSAGE_TOO_LARGE (a message close to
   * the limit plus the dead-letter headers). The error message header says so.
   */
  omitValue?: boolean;
}

const VALUE_OMITTED = '[value omitted: the dead letter with it was larger than the bus accepts] ';

/** Header values are cut here so one huge error message cannot make the record too big for a broker. */
const MAX_ERROR_MESSAGE_LENGTH = 1_000;

/** The message moved to `<topic>.dlq`: same key and value, original headers plus the reason. */
export function toDeadLetter(message: BusMessage, context: DeadLetterContext): OutgoingMessage {
  const error = toSerializedError(context.error);
  const reason = (context.omitValue ? VALUE_OMITTED : '') + error.message;
  return {
    key: message.key,
    value: context.omitValue ? null : message.value,
    headers: {
      ...message.headers,
      [DEAD_LETTER_HEADERS.originalTopic]: message.topic,
      [DEAD_LETTER_HEADERS.group]: context.group,
      [DEAD_LETTER_HEADERS.errorCode]: error.code,
      [DEAD_LETTER_HEADERS.errorMessage]: reason.slice(0, MAX_ERROR_MESSAGE_LENGTH),
      [DEAD_LETTER_HEADERS.attempts]: String(context.attempts),
      [DEAD_LETTER_HEADERS.at]: context.at.toISOString(),
    },
  };
}
