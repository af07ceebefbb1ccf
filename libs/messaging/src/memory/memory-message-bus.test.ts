import { describeMessageBusContract, MessageRecorder, uniqueName } from '@contextforge/testing';
import { MemoryMessageBus } from './memory-message-bus';

describeMessageBusContract('memory', async () => {
  const bus = new MemoryMessageBus({ retry: { maxRetries: 2, initialDelayMs: 2, maxDelayMs: 20 } });
  await bus.connect();
  return { bus, topicPrefix: uniqueName('memory'), cleanup: () => bus.close() };
});

describe('MemoryMessageBus', () => {
  let bus: MemoryMessageBus;
  beforeEach(async () => {
    bus = new MemoryMessageBus({ partitions: 2, retry: { maxRetries: 1, initialDelayMs: 1, maxDelayMs: 1 } });
    await bus.connect();
  });
  afterEach(() => bus.close());

  it('never runs a handler inside publish', async () => {
    const recorder = new MessageRecorder();
    await bus.subscribe({ topic: 't', group: 'g', handler: recorder.handler });
    const publishing = bus.publish('t', [{ key: 'k', value: 1 }]);
    expect(recorder.received).toHaveLength(0);
    await publishing;
    expect(recorder.received).toHaveLength(0);
    await recorder.untilCount(1, 5_000);
  });

  it('refuses to work before connect and after close', async () => {
    const fresh = new MemoryMessageBus();
    await expect(fresh.publish('t', [])).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
    await fresh.connect();
    await fresh.close();
    await expect(fresh.publish('t', [])).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
    await expect(
      fresh.subscribe({ topic: 't', group: 'g', handler: async () => undefined }),
    ).rejects.toMatchObject({
      code: 'SERVICE_UNAVAILABLE',
    });
  });

  it('rejects a publish with a value that is not JSON, appending none of its messages', async () => {
    const circular: Record<string, unknown> = {};
    circular['self'] = circular;
    await expect(
      bus.publish('t', [
        { key: 'a', value: 1 },
        { key: 'b', value: circular },
      ]),
    ).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    await expect(bus.publish('t', [{ key: 'c', value: undefined }])).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
    });

    const recorder = new MessageRecorder();
    await bus.subscribe({ topic: 't', group: 'g', handler: recorder.handler });
    await bus.publish('t', [{ key: 'a', value: 'fence' }]);
    await recorder.untilCount(1, 5_000);
    expect(recorder.values()).toEqual(['fence']);
  });

  it('gives each delivery its own copy of the value, as JSON would', async () => {
    const first = new MessageRecorder();
    const second = new MessageRecorder();
    await bus.subscribe({
      topic: 't',
      group: 'mutator',
      handler: async (batch) => {
        (batch[0]?.value as { list: number[] }).list.push(99);
        first.record(batch);
      },
    });
    await bus.subscribe({ topic: 't', group: 'reader', handler: second.handler });
    const value = { list: [1], at: new Date(0) };
    await bus.publish('t', [{ key: 'k', value }]);
    await Promise.all([first.untilCount(1, 5_000), second.untilCount(1, 5_000)]);
    expect(second.values()).toEqual([{ list: [1], at: '1970-01-01T00:00:00.000Z' }]);
    expect(value.list).toEqual([1]);
  });

  it('hands at most maxBatchSize messages per batch', async () => {
    const sizes: number[] = [];
    const recorder = new MessageRecorder();
    await bus.publish(
      't',
      Array.from({ length: 25 }, (_, index) => ({ key: 'one', value: index })),
    );
    await bus.subscribe({
      topic: 't',
      group: 'g',
      maxBatchSize: 10,
      handler: async (batch) => {
        sizes.push(batch.length);
        recorder.record(batch);
      },
    });
    await recorder.untilCount(25, 5_000);
    expect(sizes).toEqual([10, 10, 5]);
    expect(recorder.values()).toEqual(Array.from({ length: 25 }, (_, index) => index));
  });

  it('trims what every group has committed, so a later group starts after it', async () => {
    const early = new MessageRecorder();
    await bus.subscribe({ topic: 't', group: 'early', handler: early.handler });
    await bus.publish('t', [{ key: 'k', value: 'old' }]);
    await early.untilCount(1, 5_000);

    const late = new MessageRecorder();
    await bus.subscribe({ topic: 't', group: 'late', handler: late.handler });
    await bus.publish('t', [{ key: 'k', value: 'new' }]);
    await Promise.all([early.untilCount(2, 5_000), late.untilCount(1, 5_000)]);
    expect(late.values()).toEqual(['new']);
  });

  it('splits the partitions between the members of a group', async () => {
    const all = new MessageRecorder();
    const partitionsOf = [new Set<number>(), new Set<number>()];
    for (const seen of partitionsOf) {
      await bus.subscribe({
        topic: 't',
        group: 'g',
        handler: async (batch) => {
          for (const message of batch) seen.add(message.partition);
          all.record(batch);
        },
      });
    }
    await bus.publish(
      't',
      Array.from({ length: 50 }, (_, index) => ({ key: `k${index}`, value: index })),
    );
    await all.untilCount(50, 5_000);
    expect(partitionsOf).toEqual([new Set([0]), new Set([1])]);
  });
});
