import { AppError } from '@contextforge/contracts';
import { isAbortError } from './abort-error';
import { retry, type RetryOptions } from './retry';

/** No waiting: every backoff delay is 0 (full jitter with random() = 0). */
const instant: RetryOptions = { initialMs: 1_000, maxMs: 1_000, random: () => 0 };

describe('retry', () => {
  it('returns the first success, passing the attempt number and the signal', async () => {
    const controller = new AbortController();
    const calls: Array<[number, AbortSignal | undefined]> = [];
    const result = await retry(
      async (attempt, signal) => {
        calls.push([attempt, signal]);
        if (attempt < 3) throw new AppError('AGENT_UNREACHABLE', 'down');
        return 'ok';
      },
      { ...instant, signal: controller.signal },
    );
    expect(result).toBe('ok');
    expect(calls).toEqual([
      [1, controller.signal],
      [2, controller.signal],
      [3, controller.signal],
    ]);
  });

  it('gives up after maxAttempts calls and rejects with the last error', async () => {
    const errors = [1, 2, 3, 4].map((n) => new AppError('SERVICE_UNAVAILABLE', `failure ${n}`));
    const fn = jest.fn(async (attempt: number) => {
      throw errors[attempt - 1];
    });
    await expect(retry(fn, { ...instant, maxAttempts: 4 })).rejects.toBe(errors[3]);
    expect(fn).toHaveBeenCalledTimes(4);
  });

  it('defaults to 3 attempts', async () => {
    const fn = jest.fn(async () => {
      throw new Error('plain errors are retryable');
    });
    await expect(retry(fn, instant)).rejects.toThrow('plain errors are retryable');
    expect(fn).toHaveBeenCalledTimes(3);
  });

  it('does not retry errors that say they are not retryable (isRetryable by default)', async () => {
    const appError = jest.fn(async () => {
      throw new AppError('VALIDATION_FAILED', 'bad input');
    });
    await expect(retry(appError, instant)).rejects.toThrow('bad input');
    expect(appError).toHaveBeenCalledTimes(1);

    const serialized = jest.fn(async () => {
      throw { code: 'HANDLER_FAILED', message: 'x', retryable: false };
    });
    await expect(retry(serialized, instant)).rejects.toMatchObject({ code: 'HANDLER_FAILED' });
    expect(serialized).toHaveBeenCalledTimes(1);
  });

  it('lets shouldRetry decide instead', async () => {
    const seen: number[] = [];
    const fn = jest.fn(async () => {
      throw new AppError('VALIDATION_FAILED', 'retry me anyway');
    });
    await expect(
      retry(fn, {
        ...instant,
        maxAttempts: 5,
        shouldRetry: (_error, attempt) => {
          seen.push(attempt);
          return attempt < 2;
        },
      }),
    ).rejects.toThrow('retry me anyway');
    expect(fn).toHaveBeenCalledTimes(2);
    expect(seen).toEqual([1, 2]);
  });

  it('waits the backoff delay of each retry, exponential and capped', async () => {
    const delays: number[] = [];
    await expect(
      retry(
        async () => {
          throw new Error('down');
        },
        {
          maxAttempts: 5,
          initialMs: 1,
          maxMs: 4,
          jitter: 'none',
          onRetry: ({ delayMs, attempt }) => delays.push(attempt * 100 + delayMs),
        },
      ),
    ).rejects.toThrow('down');
    expect(delays).toEqual([101, 202, 304, 404]);
  });

  it('stops waiting and rejects with an AbortError when the signal aborts during a backoff', async () => {
    const controller = new AbortController();
    const fn = jest.fn(async () => {
      throw new Error('down');
    });
    const started = Date.now();
    const error: unknown = await retry(fn, {
      initialMs: 60_000,
      maxMs: 60_000,
      jitter: 'none',
      signal: controller.signal,
      onRetry: () => controller.abort(),
    }).catch((caught: unknown) => caught);
    expect(isAbortError(error)).toBe(true);
    expect(error).toMatchObject({ code: 'TASK_CANCELLED' });
    expect(fn).toHaveBeenCalledTimes(1);
    expect(Date.now() - started).toBeLessThan(30_000);
  });

  it('never calls fn when the signal has already aborted', async () => {
    const fn = jest.fn(async () => 'never');
    await expect(retry(fn, { signal: AbortSignal.abort() })).rejects.toMatchObject({ name: 'AbortError' });
    expect(fn).not.toHaveBeenCalled();
  });

  it('reports an abort rather than the failure of a call that was aborted', async () => {
    const controller = new AbortController();
    const reason = new AppError('TASK_TIMEOUT', 'deadline');
    const fn = jest.fn(async () => {
      controller.abort(reason);
      throw new Error('interrupted');
    });
    await expect(retry(fn, { ...instant, signal: controller.signal })).rejects.toBe(reason);
    expect(fn).toHaveBeenCalledTimes(1);
  });

  it('rejects a maxAttempts below 1', async () => {
    await expect(retry(async () => 1, { maxAttempts: 0 })).rejects.toThrow(RangeError);
  });
});
