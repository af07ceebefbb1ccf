import { AppError } from '@contextforge/contracts';

/** Broker answers that mean "this message (batch) is too large": retrying the same send cannot help. */
const TOO_LARGE_TYPES: ReadonlySet<string> = new Set(['MESSAGE_TOO_LARGE', 'RECORD_LIST_TOO_LARGE']);

/**
 * kafkajs errors never leave the adapter. A broker's MESSAGE_TOO_LARGE (or RECORD_LIST_TOO_LARGE)
 * becomes MESSAGE_TOO_LARGE (not retryable); everything else SERVICE_UNAVAILABLE (retryable),
 * naming the action and the brokers, with the original as `cause` for logs. AppErrors pass through.
 */
export function toBusError(
  error: unknown,
  action: string,
  brokers: readonly string[],
  context: { topic?: string } = {},
): AppError {
  if (error instanceof AppError) return error;
  const message = error instanceof Error ? error.message : String(error);
  const kafkaError = error instanceof Error ? error.name : undefined;
  const type = kafkaProtocolTypes(error).find((candidate) => TOO_LARGE_TYPES.has(candidate));
  if (type) {
    return new AppError(
      'MESSAGE_TOO_LARGE',
      `kafka ${action} failed (brokers ${brokers.join(',')}): the broker refused the batch as too large ` +
        `(${type}); lower coordinator.queue.max_message_bytes to the topic's max.message.bytes: ${message}`,
      { cause: error, details: { ...context, brokers: [...brokers], kafkaError: type } },
    );
  }
  return new AppError(
    'SERVICE_UNAVAILABLE',
    `kafka ${action} failed (brokers ${brokers.join(',')}): ${message}`,
    { cause: error, details: { ...context, brokers: [...brokers], kafkaError } },
  );
}

/**
 * The protocol error types (`KafkaJSProtocolError.type`) in a kafkajs error, following the
 * wrappers kafkajs puts around them: `cause` (KafkaJSNumberOfRetriesExceeded, retriers that bail)
 * and `errors` (KafkaJSAggregateError).
 */
export function kafkaProtocolTypes(error: unknown, depth = 0): string[] {
  if (typeof error !== 'object' || error === null || depth > 5) return [];
  const candidate = error as { type?: unknown; cause?: unknown; errors?: unknown };
  const own = typeof candidate.type === 'string' ? [candidate.type] : [];
  const nested = Array.isArray(candidate.errors) ? candidate.errors : [];
  return [
    ...own,
    ...kafkaProtocolTypes(candidate.cause, depth + 1),
    ...nested.flatMap((inner: unknown) => kafkaProtocolTypes(inner, depth + 1)),
  ];
}

/** The error names (`KafkaJSBrokerNotFound`, ...) along a kafkajs error's `cause` chain. */
export function kafkaErrorNames(error: unknown): string[] {
  const names: string[] = [];
  for (let current = error, depth = 0; current instanceof Error && depth <= 5; depth += 1) {
    names.push(current.name);
    current = current.cause;
  }
  return names;
}
