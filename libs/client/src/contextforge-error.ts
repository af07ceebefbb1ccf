import { AppError, isErrorCode, type ErrorCode } from '@contextforge/contracts';

/**
 * What every failed client call throws. `code` is the gateway's error code (docs/api/errors.md)
 * when it answered in the common error shape; otherwise one derived from what happened:
 *
 * - no answer at all (refused, DNS, reset, TLS): SERVICE_UNAVAILABLE with `status` 0 and
 *   `unreachable` true;
 * - no answer within `timeoutMs`: REQUEST_TIMEOUT with `status` 0;
 * - an answer that is not the common error shape (a proxy's HTML 502, a plain-text 500): the code
 *   of its HTTP status (SERVICE_UNAVAILABLE for 502/503/504, INTERNAL for other 5xx, ...), with
 *   the start of the body in `details.body`;
 * - a 2xx answer that does not match the contract schema: INTERNAL with `details.issues`;
 * - a code this client does not know (a newer gateway): the code of the HTTP status, with the
 *   gateway's code in `details.gatewayCode`.
 *
 * `retryAfterMs` is set on RATE_LIMITED and SERVICE_UNAVAILABLE answers that say when to retry
 * (`details.retryAfterMs`, else the Retry-After header). Classify by `code`, not by `instanceof`.
 */
export class ContextForgeError extends AppError {
  /** The HTTP status of the answer; 0 when none came. */
  readonly status: number;
  readonly retryAfterMs: number | undefined;

  constructor(
    code: ErrorCode,
    message: string,
    options: {
      status: number;
      details?: Record<string, unknown>;
      retryAfterMs?: number;
      cause?: unknown;
    },
  ) {
    super(code, message, {
      ...(options.details ? { details: options.details } : {}),
      ...(options.cause === undefined ? {} : { cause: options.cause }),
    });
    this.name = 'ContextForgeError';
    this.status = options.status;
    this.retryAfterMs = options.retryAfterMs;
  }

  /** True when the gateway could not be reached at all. */
  get unreachable(): boolean {
    return this.status === 0 && this.code === 'SERVICE_UNAVAILABLE';
  }
}

/** The registry code for an HTTP status, for answers that do not carry one. */
export function codeForStatus(status: number): ErrorCode {
  switch (status) {
    case 400:
      return 'VALIDATION_FAILED';
    case 401:
      return 'UNAUTHENTICATED';
    case 403:
      return 'FORBIDDEN';
    case 404:
      return 'ROUTE_NOT_FOUND';
    case 405:
      return 'METHOD_NOT_ALLOWED';
    case 408:
      return 'REQUEST_TIMEOUT';
    case 413:
      return 'PAYLOAD_TOO_LARGE';
    case 415:
      return 'UNSUPPORTED_MEDIA_TYPE';
    case 429:
      return 'RATE_LIMITED';
    case 502:
    case 503:
    case 504:
      return 'SERVICE_UNAVAILABLE';
    default:
      return 'INTERNAL';
  }
}

/** Retry-After: delay-seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/**
 * Builds the error for a non-2xx answer from its status, headers and body text. `what` names the
 * call for messages that need one (e.g. "GET /tasks/…").
 */
export function errorFromAnswer(
  status: number,
  headers: { get(name: string): string | null },
  bodyText: string,
  what: string,
): ContextForgeError {
  const parsed = parseErrorBody(bodyText);
  const fromHeader = parseRetryAfter(headers.get('retry-after'));
  if (!parsed) {
    const code = codeForStatus(status);
    return new ContextForgeError(
      code,
      `${what}: the gateway answered ${status} without an error body` +
        (status >= 500 ? ' (is a proxy in front of it failing?)' : ''),
      {
        status,
        details: { body: bodyText.slice(0, 500) },
        ...(fromHeader === undefined ? {} : { retryAfterMs: fromHeader }),
      },
    );
  }
  const known = isErrorCode(parsed.code);
  const code = known ? (parsed.code as ErrorCode) : codeForStatus(status);
  const details: Record<string, unknown> = {
    ...(parsed.details ?? {}),
    ...(known ? {} : { gatewayCode: parsed.code }),
  };
  const fromDetails = details['retryAfterMs'];
  const retryAfterMs =
    typeof fromDetails === 'number' && Number.isFinite(fromDetails) ? fromDetails : fromHeader;
  return new ContextForgeError(code, parsed.message, {
    status,
    ...(Object.keys(details).length > 0 ? { details } : {}),
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
  });
}

function parseErrorBody(
  text: string,
): { code: string; message: string; details?: Record<string, unknown> } | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  const error = (value as { error?: unknown } | null)?.error as Record<string, unknown> | undefined;
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, message, details } = error;
  if (typeof code !== 'string' || typeof message !== 'string') return undefined;
  return {
    code,
    message,
    ...(typeof details === 'object' && details !== null && !Array.isArray(details)
      ? { details: details as Record<string, unknown> }
      : {}),
  };
}

/** Whether a call that failed this way may be retried by the client's retry policy. */
export function isRetryableAnswer(error: ContextForgeError): boolean {
  return error.code === 'RATE_LIMITED' || error.status === 503;
}
