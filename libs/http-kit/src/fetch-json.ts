import { AppError, isErrorCode, type ErrorCode } from '@contextforge/contracts';
import { withTraceHeaders } from '@contextforge/observability';

export interface FetchJsonOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'DELETE';
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** The code for a connection failure or an answer without our error shape. */
  unavailableCode?: ErrorCode;
}

/**
 * Calls one of our own JSON HTTP APIs. A non-2xx answer in the common error shape becomes the
 * AppError the other side raised (so codes survive the hop); anything else becomes
 * `unavailableCode` (default SERVICE_UNAVAILABLE) naming the URL; so does a body that is not JSON,
 * whatever the status. An empty 2xx body resolves undefined. The active trace context goes along
 * as a `traceparent` header (when tracing is on). Callers that read "not found" as
 * "absent" catch the specific code (see HttpResultStoreClient).
 */
export async function fetchJson<T>(url: string, options: FetchJsonOptions = {}): Promise<T> {
  const unavailable = options.unavailableCode ?? 'SERVICE_UNAVAILABLE';
  const method = options.method ?? 'GET';
  let response: Response;
  try {
    response = await fetch(url, {
      method,
      headers: withTraceHeaders({
        ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
        ...options.headers,
      }),
      ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
      ...(options.signal ? { signal: options.signal } : {}),
    });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new AppError(unavailable, `${method} ${url} failed: ${reason}`, { cause: error });
  }
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    throw new AppError(
      unavailable,
      `${method} ${url} answered ${response.status} with a body that is not JSON`,
    );
  }
  if (response.ok) return parsed as T;
  const error = (parsed as { error?: { code?: unknown; message?: unknown; details?: unknown } } | undefined)
    ?.error;
  if (error && isErrorCode(error.code)) {
    const details =
      typeof error.details === 'object' && error.details !== null
        ? (error.details as Record<string, unknown>)
        : undefined;
    throw new AppError(error.code, String(error.message ?? error.code), details ? { details } : {});
  }
  throw new AppError(unavailable, `${method} ${url} answered ${response.status}`);
}
