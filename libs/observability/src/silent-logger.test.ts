import { createSilentLogger } from './silent-logger';

describe('createSilentLogger', () => {
  it('accepts every call shape, writes nothing and returns a silent child', () => {
    const writes: unknown[] = [];
    const original = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((chunk: unknown) => {
      writes.push(chunk);
      return true;
    }) as typeof process.stdout.write;
    try {
      const logger = createSilentLogger();
      logger.info('a');
      logger.error({ err: new Error('x') }, 'b');
      const child = logger.child({ taskId: 't' });
      child.warn('c');
      child.debug({}, 'd');
      expect(typeof child.info).toBe('function');
    } finally {
      process.stdout.write = original;
    }
    expect(writes).toEqual([]);
  });
});
