import { isSecretKey, REDACTED, redactFields } from './redact';

describe('isSecretKey', () => {
  it.each([
    'authorization',
    'Authorization',
    'proxy-authorization',
    'cookie',
    'set-cookie',
    'token',
    'accessToken',
    'acl_token',
    'X-Consul-Token',
    'password',
    'dbPassword',
    'secret',
    'jwtSecret',
    'secret_key',
    'secretKey',
    'apiKey',
    'api_key',
    'x-api-key',
    'privateKey',
  ])('treats %s as secret', (key) => {
    expect(isSecretKey(key)).toBe(true);
  });

  it.each([
    'taskId',
    'agentId',
    'traceId',
    'idempotencyKey',
    'maxTokens',
    'tokenCount',
    'user',
    'key',
    'status',
  ])('leaves %s alone', (key) => {
    expect(isSecretKey(key)).toBe(false);
  });
});

describe('redactFields', () => {
  it('redacts at any depth, inside arrays too', () => {
    expect(redactFields({ a: [{ b: { c: { password: 'x', ok: 1 } } }] })).toEqual({
      a: [{ b: { c: { password: REDACTED, ok: 1 } } }],
    });
  });

  it('returns the same object when nothing is secret', () => {
    const fields = { taskId: 't', nested: { n: [1, 2] } };
    expect(redactFields(fields)).toBe(fields);
  });

  it('keeps Errors and other class instances as they are, and survives cycles', () => {
    const error = new Error('x');
    const cyclic: Record<string, unknown> = { token: 't' };
    cyclic['self'] = cyclic;
    const result = redactFields({ err: error, cyclic });
    expect(result.err).toBe(error);
    expect(result.cyclic['token']).toBe(REDACTED);
  });

  it('leaves undefined secret fields undefined', () => {
    expect(redactFields({ token: undefined })).toEqual({ token: undefined });
  });
});
