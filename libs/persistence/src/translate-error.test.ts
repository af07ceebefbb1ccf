import { AppError } from '@contextforge/contracts';
import { translateError } from './translate-error';

/** Shapes as Prisma 7 + @prisma/adapter-pg and pg throw them (seen in the adapter's tests). */
function prismaError(code: string, adapterCause: Record<string, unknown>): Error {
  return Object.assign(new Error(`\nInvalid \`prisma.task.findMany()\` invocation in\n/src/x.ts:1:1\n`), {
    code,
    meta: { driverAdapterError: Object.assign(new Error('DriverAdapterError'), { cause: adapterCause }) },
  });
}

describe('translateError', () => {
  it.each([
    ['Prisma P1001 (cannot reach)', prismaError('P1001', { kind: 'DatabaseNotReachable' })],
    ['a raw query on a closed connection', prismaError('P2010', { kind: 'ConnectionClosed' })],
    ['too many connections', prismaError('P2010', { kind: 'postgres', originalCode: '53300' })],
    [
      'a socket error from pg',
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }),
    ],
    ['pg losing the connection', new Error('Connection terminated unexpectedly')],
    [
      'the server shutting down',
      Object.assign(new Error('terminating connection'), { code: '57P01', severity: 'FATAL' }),
    ],
    [
      'an AggregateError of socket errors',
      new AggregateError([Object.assign(new Error('x'), { code: 'ECONNREFUSED' })]),
    ],
  ])('turns %s into a retryable SERVICE_UNAVAILABLE', (_label, error) => {
    const translated = translateError(error, 'getTask');
    expect(translated).toMatchObject({ code: 'SERVICE_UNAVAILABLE', retryable: true });
    expect(translated.message).toContain('getTask');
    expect(translated.cause).toBe(error);
  });

  it('keeps AppErrors as they are', () => {
    const error = new AppError('IDEMPOTENCY_CONFLICT', 'x');
    expect(translateError(error, 'createTask')).toBe(error);
  });

  it('makes other errors INTERNAL with the SQLSTATE and server message, without Prisma call-site text', () => {
    const error = prismaError('P2010', {
      kind: 'postgres',
      originalCode: '22012',
      originalMessage: 'division by zero',
    });
    const translated = translateError(error, 'applyEvents');
    expect(translated).toMatchObject({
      code: 'INTERNAL',
      details: { operation: 'applyEvents', code: '22012' },
    });
    expect(translated.message).toBe('database error during applyEvents (22012: division by zero)');
  });
});
