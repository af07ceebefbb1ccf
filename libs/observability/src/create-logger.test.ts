import { createLogger, type LoggerOptions } from './create-logger';

/** A logger writing into an array of parsed JSON lines. */
function capture(options: Omit<LoggerOptions, 'destination'>) {
  const lines: Array<Record<string, unknown>> = [];
  const raw: string[] = [];
  const logger = createLogger({
    ...options,
    destination: {
      write(line: string) {
        raw.push(line);
        lines.push(JSON.parse(line) as Record<string, unknown>);
      },
    },
  });
  return { logger, lines, raw };
}

describe('createLogger', () => {
  it('writes one JSON line with service, level label, ISO time, fields and message', () => {
    const { logger, lines, raw } = capture({ service: 'scheduler' });
    logger.info({ taskId: 't-1', attempt: 2 }, 'dispatched');
    expect(raw).toHaveLength(1);
    expect(raw[0]?.endsWith('\n')).toBe(true);
    expect(raw[0]?.trimEnd()).not.toContain('\n');
    const line = lines[0] ?? {};
    expect(line).toEqual({
      level: 'info',
      time: expect.any(String),
      service: 'scheduler',
      taskId: 't-1',
      attempt: 2,
      msg: 'dispatched',
    });
    expect(new Date(line['time'] as string).toISOString()).toBe(line['time']);
  });

  it('accepts a message alone', () => {
    const { logger, lines } = capture({ service: 's' });
    logger.warn('careful');
    expect(lines[0]).toMatchObject({ level: 'warn', msg: 'careful' });
  });

  it('writes each level under its label and drops lines below the configured level', () => {
    const { logger, lines } = capture({ service: 's', level: 'warn' });
    logger.debug('d');
    logger.info('i');
    logger.warn('w');
    logger.error('e');
    expect(lines.map((line) => [line['level'], line['msg']])).toEqual([
      ['warn', 'w'],
      ['error', 'e'],
    ]);
  });

  it('defaults to info and writes nothing when silent', () => {
    const info = capture({ service: 's' });
    info.logger.debug('hidden');
    info.logger.info('shown');
    expect(info.lines.map((line) => line['msg'])).toEqual(['shown']);
    const silent = capture({ service: 's', level: 'silent' });
    silent.logger.error('nothing');
    expect(silent.lines).toEqual([]);
  });

  it('adds child bindings to every line of the child, nested children included, not to the parent', () => {
    const { logger, lines } = capture({ service: 'agent' });
    const task = logger.child({ agentId: 'a-1' }).child({ taskId: 't-9', traceId: 'abc' });
    task.info({ step: 1 }, 'working');
    logger.info('parent');
    expect(lines[0]).toMatchObject({
      service: 'agent',
      agentId: 'a-1',
      taskId: 't-9',
      traceId: 'abc',
      step: 1,
    });
    expect(lines[1]).not.toHaveProperty('agentId');
    expect(lines[1]).not.toHaveProperty('taskId');
  });

  it('redacts secret-looking fields in log fields and in child bindings', () => {
    const { logger, lines, raw } = capture({ service: 'gateway' });
    logger.child({ token: 'bind-secret' }).info(
      {
        authorization: 'Bearer abc.def',
        password: 'pw',
        secret: 's',
        apiKey: 'k',
        config: { security: { authentication: { secret_key: 'jwt-secret', expiration: 1 } } },
        headers: { 'x-api-key': 'k2', accept: 'json' },
        user: 'alice',
      },
      'request',
    );
    expect(lines[0]).toMatchObject({
      token: '[Redacted]',
      authorization: '[Redacted]',
      password: '[Redacted]',
      secret: '[Redacted]',
      apiKey: '[Redacted]',
      config: { security: { authentication: { secret_key: '[Redacted]', expiration: 1 } } },
      headers: { 'x-api-key': '[Redacted]', accept: 'json' },
      user: 'alice',
    });
    for (const leaked of ['bind-secret', 'abc.def', 'jwt-secret', '"pw"', '"k2"']) {
      expect(raw[0]).not.toContain(leaked);
    }
  });

  it('does not modify the caller’s objects when redacting', () => {
    const { logger } = capture({ service: 's' });
    const fields = { nested: { password: 'pw' } };
    logger.info(fields, 'x');
    expect(fields.nested.password).toBe('pw');
  });

  it('serializes an Error under err with its message and stack', () => {
    const { logger, lines } = capture({ service: 's' });
    logger.error({ err: new TypeError('boom') }, 'failed');
    expect(lines[0]?.['err']).toMatchObject({
      type: 'TypeError',
      message: 'boom',
      stack: expect.stringContaining('boom'),
    });
  });
});
