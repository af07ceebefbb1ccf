import { AppError, ERROR_CODES, type ErrorCode } from '@contextforge/contracts';
import type { Logger } from '@contextforge/observability';
import type { ErrorRequestHandler, RequestHandler, Response } from 'express';

export interface ErrorBody {
  error: { code: ErrorCode; message: string; details?: Record<string, unknown> };
}

export function sendError(res: Response, error: AppError): void {
  const body: ErrorBody = {
    error: { code: error.code, message: error.message, ...(error.details ? { details: error.details } : {}) },
  };
  res.status(ERROR_CODES[error.code].http).json(body);
}

/** body-parser reports its failures with a `type`; map them to our codes. */
function fromBodyParser(error: { type?: unknown; message?: unknown; limit?: unknown }): AppError | undefined {
  switch (error.type) {
    case 'entity.parse.failed':
      return new AppError('MALFORMED_JSON', `the body is not valid JSON: ${String(error.message)}`);
    case 'entity.too.large':
      return new AppError(
        'PAYLOAD_TOO_LARGE',
        `the body is larger than the limit of ${String(error.limit)} bytes`,
      );
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new AppError('UNSUPPORTED_MEDIA_TYPE', String(error.message));
    case 'request.aborted':
    case 'request.size.invalid':
    case 'stream.encoding.set':
      return new AppError('VALIDATION_FAILED', String(error.message));
    default:
      return undefined;
  }
}

/**
 * Other client errors Express and its parsers raise with a 4xx `status`: http-errors marked
 * `expose`, and the router's URIError for a path parameter that is not valid percent-encoding.
 * Their messages are safe to send.
 */
function fromClientHttpError(error: object): AppError | undefined {
  const { status, expose, message } = error as { status?: unknown; expose?: unknown; message?: unknown };
  if (typeof status !== 'number' || status < 400 || status > 499) return undefined;
  if (expose !== true && !(error instanceof URIError)) return undefined;
  const code =
    status === 413
      ? 'PAYLOAD_TOO_LARGE'
      : status === 415
        ? 'UNSUPPORTED_MEDIA_TYPE'
        : status === 408
          ? 'REQUEST_TIMEOUT'
          : 'VALIDATION_FAILED';
  return new AppError(code, String(message));
}

export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, _next) => {
    if (res.headersSent) {
      res.end();
      return;
    }
    const known =
      error instanceof AppError
        ? error
        : typeof error === 'object' && error !== null
          ? (fromBodyParser(error as Record<string, unknown>) ?? fromClientHttpError(error))
          : undefined;
    if (known) {
      // A limit refusal says when to come back, whoever raised it (per-IP middleware, task limits).
      const retryAfterMs = known.details?.['retryAfterMs'];
      if (
        known.code === 'RATE_LIMITED' &&
        typeof retryAfterMs === 'number' &&
        !res.hasHeader('Retry-After')
      ) {
        res.setHeader('Retry-After', String(Math.max(1, Math.ceil(retryAfterMs / 1000))));
      }
      sendError(res, known);
      return;
    }
    logger.error(
      { err: error instanceof Error ? error.stack : String(error), path: req.path },
      'unhandled error',
    );
    sendError(res, new AppError('INTERNAL', 'internal error'));
  };
}

export function methodNotAllowed(allowed: readonly string[]): RequestHandler {
  return (req, res) => {
    res.setHeader('Allow', allowed.join(', '));
    sendError(
      res,
      new AppError(
        'METHOD_NOT_ALLOWED',
        `${req.method} is not allowed on ${req.path}; use ${allowed.join(', ')}`,
        {
          details: { allowed },
        },
      ),
    );
  };
}

export const routeNotFound: RequestHandler = (req, res) => {
  sendError(res, new AppError('ROUTE_NOT_FOUND', `no endpoint ${req.method} ${req.path}`));
};

/** POST/PUT bodies must be JSON; anything else is refused before it is read. */
export const requireJson: RequestHandler = (req, _res, next) => {
  if (req.is('application/json') === false || !req.headers['content-type']) {
    next(new AppError('UNSUPPORTED_MEDIA_TYPE', 'the body must be application/json'));
    return;
  }
  next();
};
