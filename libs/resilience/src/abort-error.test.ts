import { AppError } from '@contextforge/contracts';
import { AbortError, abortErrorFor, isAbortError } from './abort-error';

describe('abort errors', () => {
  it('recognises ours and the platform’s AbortErrors, and nothing else', () => {
    expect(isAbortError(new AbortError())).toBe(true);
    expect(isAbortError(new DOMException('stopped', 'AbortError'))).toBe(true);
    expect(isAbortError(new Error('AbortError'))).toBe(false);
    expect(isAbortError(new AppError('TASK_CANCELLED', 'x'))).toBe(false);
    expect(isAbortError(null)).toBe(false);
  });

  it('serialises like any AppError, classified by code', () => {
    expect(new AbortError().toJSON()).toEqual({
      code: 'TASK_CANCELLED',
      message: 'aborted',
      retryable: false,
    });
  });

  it('uses an AppError reason as it is and wraps any other reason', () => {
    const reason = new AppError('AGENT_DRAINING', 'draining');
    expect(abortErrorFor(AbortSignal.abort(reason))).toBe(reason);
    const wrapped = abortErrorFor(AbortSignal.abort());
    expect(wrapped).toBeInstanceOf(AbortError);
    expect(wrapped.message).toBe('aborted');
  });
});
