import { deferred } from './deferred';
import { uniqueName } from './unique-name';
import { waitFor, withTimeout } from './wait-for';

describe('waitFor', () => {
  it('resolves once the predicate holds', async () => {
    let calls = 0;
    await waitFor(() => ++calls >= 3, { intervalMs: 1 });
    expect(calls).toBe(3);
  });

  it('rejects naming the label after the timeout', async () => {
    await expect(waitFor(() => false, { timeoutMs: 20, intervalMs: 5, label: 'the moon' })).rejects.toThrow(
      'timed out after 20 ms waiting for the moon',
    );
  });
});

describe('withTimeout', () => {
  it('passes a settled value through and rejects a promise that takes too long', async () => {
    await expect(withTimeout(Promise.resolve(7), 1_000)).resolves.toBe(7);
    await expect(withTimeout(new Promise(() => undefined), 10, 'never')).rejects.toThrow('waiting for never');
  });
});

describe('deferred', () => {
  it('settles from outside and reports that it did', async () => {
    const signal = deferred<string>();
    expect(signal.settled).toBe(false);
    signal.resolve('done');
    expect(signal.settled).toBe(true);
    await expect(signal.promise).resolves.toBe('done');
  });
});

describe('uniqueName', () => {
  it('prefixes a fresh suffix', () => {
    const first = uniqueName('topic');
    expect(first).toMatch(/^topic-[0-9a-f]{8}$/);
    expect(uniqueName('topic')).not.toBe(first);
  });
});
