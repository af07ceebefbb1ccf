import { AppError } from '@contextforge/contracts';

/**
 * kafkajs errors never leave the adapter: they become SERVICE_UNAVAILABLE (retryable) naming the
 * action and the brokers, with the original as `cause` for logs. AppErrors pass through.
 */
export function toBusError(error: unknown, action: string, brokers: readonly string[]): AppError {
  if (error instanceof AppError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new AppError(
    'SERVICE_UNAVAILABLE',
    `kafka ${action} failed (brokers ${brokers.join(',')}): ${message}`,
    {
      cause: error,
      details: { brokers: [...brokers], kafkaError: error instanceof Error ? error.name : undefined },
    },
  );
}
