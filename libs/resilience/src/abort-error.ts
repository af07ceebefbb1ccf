import { AppError } from '@contextforge/contracts';

/**
 * What the resilience helpers reject with when their AbortSignal fires: an AppError with code
 * TASK_CANCELLED (not retryable) and `name` "AbortError", like the DOM's, so code that checks
 * either the code or the name recognises it. The signal's reason is kept as `cause`.
 */
export class AbortError extends AppError {
  constructor(reason?: unknown) {
    super('TASK_CANCELLED', describeReason(reason), reason === undefined ? {} : { cause: reason });
    this.name = 'AbortError';
  }
}

/**
 * The error to reject with for an aborted signal: the signal's reason itself when it is an
 * AppError (so `controller.abort(new AppError('TASK_TIMEOUT', ...))` surfaces as TASK_TIMEOUT),
 * otherwise an AbortError carrying the reason.
 */
export function abortErrorFor(signal: AbortSignal): AppError {
  const reason: unknown = signal.reason;
  return reason instanceof AppError ? reason : new AbortError(reason);
}

/** True for anything named AbortError: ours, the DOM's (fetch, timers/promises) and undici's. */
export function isAbortError(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { name?: unknown }).name === 'AbortError';
}

function describeReason(reason: unknown): string {
  if (reason instanceof Error && reason.message && reason.name !== 'AbortError')
    return `aborted: ${reason.message}`;
  if (typeof reason === 'string' && reason !== '') return `aborted: ${reason}`;
  return 'aborted';
}
