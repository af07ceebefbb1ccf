/**
 * The one registry of stable error codes.
 *
 * Every error that leaves a service (HTTP body, gRPC status, bus dead-letter header, task lastError)
 * carries one of these codes. Each code maps to an HTTP status, a gRPC status name and whether the
 * operation that raised it may succeed if retried. Retry, dead-letter and breaker policies read
 * `retryable` from the error data; business code only throws.
 *
 * Adding a code without its mapping does not compile (`satisfies Record<string, ErrorSpec>`), and
 * a test checks that docs/api/errors.md lists every code.
 */
export interface ErrorSpec {
  readonly http: number;
  readonly grpc: GrpcStatusName;
  readonly retryable: boolean;
  readonly description: string;
}

export type GrpcStatusName =
  | 'INVALID_ARGUMENT'
  | 'NOT_FOUND'
  | 'ALREADY_EXISTS'
  | 'FAILED_PRECONDITION'
  | 'RESOURCE_EXHAUSTED'
  | 'UNAUTHENTICATED'
  | 'PERMISSION_DENIED'
  | 'UNIMPLEMENTED'
  | 'UNAVAILABLE'
  | 'OUT_OF_RANGE'
  | 'DEADLINE_EXCEEDED'
  | 'CANCELLED'
  | 'ABORTED'
  | 'INTERNAL';

export const ERROR_CODES = {
  VALIDATION_FAILED: {
    http: 400,
    grpc: 'INVALID_ARGUMENT',
    retryable: false,
    description: 'The request or message does not match its schema; details.issues names each field path.',
  },
  MALFORMED_JSON: {
    http: 400,
    grpc: 'INVALID_ARGUMENT',
    retryable: false,
    description: 'The body is not valid JSON.',
  },
  UNSUPPORTED_MEDIA_TYPE: {
    http: 415,
    grpc: 'INVALID_ARGUMENT',
    retryable: false,
    description: 'The body is not application/json.',
  },
  PAYLOAD_TOO_LARGE: {
    http: 413,
    grpc: 'RESOURCE_EXHAUSTED',
    retryable: false,
    description: 'The body is larger than the configured limit.',
  },
  UNAUTHENTICATED: {
    http: 401,
    grpc: 'UNAUTHENTICATED',
    retryable: false,
    description:
      'No valid credentials: the bearer token or API key is missing, malformed, expired, revoked or not signed by a trusted key.',
  },
  FORBIDDEN: {
    http: 403,
    grpc: 'PERMISSION_DENIED',
    retryable: false,
    description:
      'The credentials are valid but their role does not allow this operation (e.g. agent management needs admin).',
  },
  RATE_LIMITED: {
    http: 429,
    grpc: 'RESOURCE_EXHAUSTED',
    retryable: true,
    description:
      'Too many requests (or tasks) for this IP, client or agent in the current window; Retry-After says when to try again.',
  },
  REQUEST_TIMEOUT: {
    http: 408,
    grpc: 'DEADLINE_EXCEEDED',
    retryable: true,
    description: 'The request (headers or body) did not arrive within the server time limit.',
  },
  API_KEY_NOT_FOUND: {
    http: 404,
    grpc: 'NOT_FOUND',
    retryable: false,
    description: 'No API key has this id.',
  },
  API_KEY_EXISTS: {
    http: 409,
    grpc: 'ALREADY_EXISTS',
    retryable: false,
    description:
      'An API key with this id is stored already. Ids are random, so this means the same key was stored twice; generate a new one.',
  },
  STREAM_RESUME_UNAVAILABLE: {
    http: 410,
    grpc: 'OUT_OF_RANGE',
    retryable: false,
    description:
      'A stream was resumed from a sequence number older than the retention window; details.oldestSeq is the oldest still held. Re-read the state and subscribe without a resume point.',
  },
  ROUTE_NOT_FOUND: {
    http: 404,
    grpc: 'UNIMPLEMENTED',
    retryable: false,
    description: 'No endpoint has this path.',
  },
  METHOD_NOT_ALLOWED: {
    http: 405,
    grpc: 'UNIMPLEMENTED',
    retryable: false,
    description: 'The path exists but not with this method; the Allow header lists the methods it has.',
  },
  TASK_NOT_FOUND: {
    http: 404,
    grpc: 'NOT_FOUND',
    retryable: false,
    description: 'No task has this id (or it belongs to another client).',
  },
  PAYLOAD_NOT_FOUND: {
    http: 404,
    grpc: 'NOT_FOUND',
    retryable: false,
    description:
      "No payload has this id, or it is another task's or attempt's; a `succeeded` event naming such an outputRef is recorded but not applied, with this reason.",
  },
  AGENT_NOT_FOUND: {
    http: 404,
    grpc: 'NOT_FOUND',
    retryable: false,
    description: 'No agent has this id.',
  },
  RESULT_NOT_AVAILABLE: {
    http: 409,
    grpc: 'FAILED_PRECONDITION',
    retryable: true,
    description:
      'The task has no result (yet): details.status is its current status; retry while it is not final.',
  },
  TASK_ALREADY_FINAL: {
    http: 409,
    grpc: 'FAILED_PRECONDITION',
    retryable: false,
    description:
      'The task already reached a final status (succeeded, cancelled, dead_lettered); details.status says which.',
  },
  TASK_NOT_DEAD_LETTERED: {
    http: 409,
    grpc: 'FAILED_PRECONDITION',
    retryable: false,
    description: 'Only dead-lettered tasks can be re-driven; details.status is the current status.',
  },
  IDEMPOTENCY_CONFLICT: {
    http: 409,
    grpc: 'ALREADY_EXISTS',
    retryable: false,
    description: 'The idempotency key was used before with a different task body.',
  },
  UNKNOWN_TASK_TYPE: {
    http: 400,
    grpc: 'INVALID_ARGUMENT',
    retryable: false,
    description: 'No agent type handles this task type.',
  },
  INVALID_MESSAGE: {
    http: 400,
    grpc: 'INVALID_ARGUMENT',
    retryable: false,
    description: 'A bus message failed validation where it was received; it is dead-lettered with this code.',
  },
  MESSAGE_TOO_LARGE: {
    http: 413,
    grpc: 'RESOURCE_EXHAUSTED',
    retryable: false,
    description:
      "A bus message is larger than coordinator.queue.max_message_bytes or the broker's limit; the publish fails and is not retried. details: topic, bytes, maxBytes.",
  },
  STALE_ATTEMPT: {
    http: 409,
    grpc: 'ABORTED',
    retryable: false,
    description: 'An event belongs to an attempt that has been superseded; it is recorded but not applied.',
  },
  STALE_TOKEN: {
    http: 409,
    grpc: 'ABORTED',
    retryable: false,
    description:
      "An event of the current attempt lacks the attempt's fencing token (a stale owner or a forged report); it is recorded but not applied.",
  },
  INVALID_TRANSITION: {
    http: 409,
    grpc: 'FAILED_PRECONDITION',
    retryable: false,
    description: 'The event would move the task backwards (for example succeeded -> running).',
  },
  AGENT_AT_CAPACITY: {
    http: 429,
    grpc: 'RESOURCE_EXHAUSTED',
    retryable: true,
    description: 'The agent runs as many tasks as its declared concurrency; the scheduler backs off.',
  },
  AGENT_DRAINING: {
    http: 503,
    grpc: 'UNAVAILABLE',
    retryable: true,
    description: 'The agent is shutting down and accepts no new work.',
  },
  AGENT_UNREACHABLE: {
    http: 503,
    grpc: 'UNAVAILABLE',
    retryable: true,
    description: 'The agent could not be reached.',
  },
  AGENT_CIRCUIT_OPEN: {
    http: 503,
    grpc: 'UNAVAILABLE',
    retryable: true,
    description:
      'The circuit breaker around calls to this agent is open after repeated failures; it probes again later.',
  },
  AGENT_LOST: {
    http: 503,
    grpc: 'UNAVAILABLE',
    retryable: true,
    description: 'The agent running the attempt stopped heartbeating or left; the attempt is re-dispatched.',
  },
  DISPATCH_EXPIRED: {
    http: 503,
    grpc: 'UNAVAILABLE',
    retryable: true,
    description:
      'A claimed attempt was not started by its agent within the dispatch lease (the dispatching scheduler replica stalled or died); it is queued again and does not count against the task.',
  },
  TASK_TIMEOUT: {
    http: 504,
    grpc: 'DEADLINE_EXCEEDED',
    retryable: true,
    description: 'The attempt ran longer than the task timeoutMs and was cancelled at the agent.',
  },
  TASK_CANCELLED: {
    http: 409,
    grpc: 'CANCELLED',
    retryable: false,
    description: 'The task was cancelled.',
  },
  HANDLER_FAILED: {
    http: 500,
    grpc: 'INTERNAL',
    retryable: true,
    description: 'The agent handler threw; retried up to maxAttempts.',
  },
  NON_RETRYABLE_FAILURE: {
    http: 422,
    grpc: 'FAILED_PRECONDITION',
    retryable: false,
    description: 'The agent handler reported a failure that retrying cannot fix; the task is dead-lettered.',
  },
  SERVICE_UNAVAILABLE: {
    http: 503,
    grpc: 'UNAVAILABLE',
    retryable: true,
    description: 'A dependency (bus, registry, database) is not reachable right now.',
  },
  CONFIG_INVALID: {
    http: 500,
    grpc: 'INTERNAL',
    retryable: false,
    description: 'The configuration failed validation at start-up; the message names the key.',
  },
  INTERNAL: {
    http: 500,
    grpc: 'INTERNAL',
    retryable: true,
    description: 'An unexpected error; it is logged with its stack, never sent to clients.',
  },
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof ERROR_CODES;

export const ERROR_CODE_LIST = Object.keys(ERROR_CODES) as ErrorCode[];

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(ERROR_CODES, value);
}

/** The plain form of an error that crosses a process boundary. */
export interface SerializedError {
  code: ErrorCode;
  message: string;
  retryable: boolean;
  details?: Record<string, unknown>;
}

/** An error that carries a stable code and data; classify it by `code`, never by `instanceof`. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly retryable: boolean;
  readonly details: Record<string, unknown> | undefined;

  constructor(
    code: ErrorCode,
    message: string,
    options: { details?: Record<string, unknown>; retryable?: boolean; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.retryable = options.retryable ?? ERROR_CODES[code].retryable;
    this.details = options.details;
  }

  get httpStatus(): number {
    return ERROR_CODES[this.code].http;
  }

  toJSON(): SerializedError {
    return {
      code: this.code,
      message: this.message,
      retryable: this.retryable,
      ...(this.details ? { details: this.details } : {}),
    };
  }

  static fromSerialized(error: SerializedError): AppError {
    return new AppError(error.code, error.message, { details: error.details, retryable: error.retryable });
  }
}

/**
 * Turns anything thrown into a SerializedError. Errors that are not AppErrors become INTERNAL
 * (or `fallback`), keeping their message; stacks never leave the process.
 */
export function toSerializedError(error: unknown, fallback: ErrorCode = 'INTERNAL'): SerializedError {
  if (error instanceof AppError) return error.toJSON();
  if (isSerializedError(error)) return error;
  const message = error instanceof Error ? error.message : String(error);
  return { code: fallback, message, retryable: ERROR_CODES[fallback].retryable };
}

export function isSerializedError(value: unknown): value is SerializedError {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Record<string, unknown>;
  return (
    isErrorCode(candidate['code']) &&
    typeof candidate['message'] === 'string' &&
    typeof candidate['retryable'] === 'boolean'
  );
}

/** Reads `retryable` from any thrown value: AppErrors and serialized errors say so; others are retryable. */
export function isRetryable(error: unknown): boolean {
  if (error instanceof AppError) return error.retryable;
  if (isSerializedError(error)) return error.retryable;
  return true;
}
