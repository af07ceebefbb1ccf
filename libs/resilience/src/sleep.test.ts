import { getEventListeners } from 'node:events';
import { AppError } from '@contextforge/contracts';
import { AbortError, isAbortError } from './abort-error';
import { sleep } from './sleep';

describe('sleep', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('resolves after the given time, not before, and leaves no listener behind', async () => {
    const controller = new AbortController();
    let done = false;
    const sleeping = sleep(1_000, controller.signal).then(() => {
      done = true;
    });
    await jest.advanceTimersByTimeAsync(999);
    expect(done).toBe(false);
    await jest.advanceTimersByTimeAsync(1);
    await sleeping;
    expect(done).toBe(true);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  it('rejects at once with an AbortError AppError when the signal aborts, clearing its timer', async () => {
    const controller = new AbortController();
    const sleeping = sleep(60_000, controller.signal);
    expect(jest.getTimerCount()).toBe(1);
    controller.abort();
    const error: unknown = await sleeping.catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ name: 'AbortError', code: 'TASK_CANCELLED', retryable: false });
    expect(isAbortError(error)).toBe(true);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('rejects without scheduling anything when the signal has already aborted', async () => {
    const signal = AbortSignal.abort('shutting down');
    await expect(sleep(10, signal)).rejects.toThrow('aborted: shutting down');
    expect(jest.getTimerCount()).toBe(0);
  });

  it('rejects with the reason itself when the signal was aborted with an AppError', async () => {
    const controller = new AbortController();
    const timeout = new AppError('TASK_TIMEOUT', 'took too long');
    const sleeping = sleep(1_000, controller.signal);
    controller.abort(timeout);
    await expect(sleeping).rejects.toBe(timeout);
  });

  it('keeps a non-AppError reason as the cause', async () => {
    const reason = new Error('stop');
    const error = await sleep(1, AbortSignal.abort(reason)).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AbortError);
    expect((error as AbortError).cause).toBe(reason);
    expect((error as AbortError).message).toBe('aborted: stop');
  });
});
