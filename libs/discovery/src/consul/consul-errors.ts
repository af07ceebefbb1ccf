import { AppError } from '@contextforge/contracts';

/** The fields the consul client (papi) puts on its errors. */
interface ConsulClientError {
  message?: string;
  isResponse?: boolean;
  isTimeout?: boolean;
  isValidation?: boolean;
  response?: { statusCode?: number; body?: unknown };
  code?: string;
}

export function statusOf(error: unknown): number | undefined {
  const candidate = error as ConsulClientError | null;
  return candidate?.isResponse ? candidate.response?.statusCode : undefined;
}

/**
 * Translates a consul client error into an AppError naming the endpoint:
 *   400 from Consul           -> VALIDATION_FAILED (the request was wrong; retrying cannot help)
 *   403 (ACL)                 -> SERVICE_UNAVAILABLE, not retryable (the token must change)
 *   other statuses, network
 *   errors and timeouts       -> SERVICE_UNAVAILABLE, retryable
 * Callers handle the 404s that mean something in the domain (unknown check -> AGENT_NOT_FOUND).
 */
export function translateConsulError(error: unknown, endpoint: string): AppError {
  if (error instanceof AppError) return error;
  const candidate = (error ?? {}) as ConsulClientError;
  const status = statusOf(error);
  const reason = candidate.message ?? String(error);
  const details: Record<string, unknown> = { endpoint };
  if (status !== undefined) details['status'] = status;
  if (candidate.code) details['cause'] = candidate.code;
  if (status === 400 || candidate.isValidation) {
    return new AppError('VALIDATION_FAILED', `Consul rejected ${endpoint}: ${reason}`, {
      details,
      cause: error,
    });
  }
  if (status === 403) {
    return new AppError('SERVICE_UNAVAILABLE', `Consul denied ${endpoint} (check the ACL token): ${reason}`, {
      details,
      retryable: false,
      cause: error,
    });
  }
  return new AppError('SERVICE_UNAVAILABLE', `Consul ${endpoint} failed: ${reason}`, {
    details,
    cause: error,
  });
}
