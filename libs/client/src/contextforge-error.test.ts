import { errorFromAnswer, parseRetryAfter } from './contextforge-error';

const headers = (values: Record<string, string> = {}) => ({
  get: (name: string) => values[name.toLowerCase()] ?? null,
});

describe('errorFromAnswer', () => {
  it('carries code, status, message and details of the common error body', () => {
    const error = errorFromAnswer(
      404,
      headers(),
      JSON.stringify({ error: { code: 'TASK_NOT_FOUND', message: 'no task x', details: { taskId: 'x' } } }),
      'GET /tasks/x',
    );
    expect(error).toMatchObject({
      name: 'ContextForgeError',
      code: 'TASK_NOT_FOUND',
      status: 404,
      message: 'no task x',
      details: { taskId: 'x' },
      retryAfterMs: undefined,
      unreachable: false,
    });
  });

  it('reads retryAfterMs from the details first, then from Retry-After', () => {
    const body = (details?: object) =>
      JSON.stringify({
        error: { code: 'RATE_LIMITED', message: 'slow down', ...(details ? { details } : {}) },
      });
    expect(
      errorFromAnswer(429, headers({ 'retry-after': '7' }), body({ retryAfterMs: 1234 }), 'x').retryAfterMs,
    ).toBe(1234);
    expect(errorFromAnswer(429, headers({ 'retry-after': '7' }), body(), 'x').retryAfterMs).toBe(7000);
  });

  it('maps an answer without the error shape by its status and keeps the start of the body', () => {
    const error = errorFromAnswer(502, headers(), '<html>Bad Gateway</html>', 'GET /agents');
    expect(error.code).toBe('SERVICE_UNAVAILABLE');
    expect(error.status).toBe(502);
    expect(error.message).toContain('GET /agents: the gateway answered 502 without an error body');
    expect(error.details).toEqual({ body: '<html>Bad Gateway</html>' });
    expect(errorFromAnswer(500, headers(), 'oops', 'x').code).toBe('INTERNAL');
    expect(errorFromAnswer(401, headers(), '', 'x').code).toBe('UNAUTHENTICATED');
  });

  it('keeps a code this client does not know in details.gatewayCode', () => {
    const error = errorFromAnswer(
      409,
      headers(),
      JSON.stringify({ error: { code: 'SOMETHING_NEW', message: 'new' } }),
      'x',
    );
    expect(error.code).toBe('INTERNAL');
    expect(error.details).toEqual({ gatewayCode: 'SOMETHING_NEW' });
  });
});

describe('parseRetryAfter', () => {
  it('reads seconds and HTTP dates', () => {
    expect(parseRetryAfter('3')).toBe(3000);
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 4_000)).toBe(6000);
    expect(parseRetryAfter(null)).toBeUndefined();
    expect(parseRetryAfter('soon')).toBeUndefined();
  });
});
