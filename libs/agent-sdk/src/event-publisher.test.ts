import { topicNames, type TaskEvent } from '@contextforge/contracts';
import { createSilentLogger } from '@contextforge/observability';
import { MessageRecorder, buildTaskEvent, uniqueName } from '@contextforge/testing';
import { randomUUID } from 'node:crypto';
import { RecordingBus } from '../test/support/recording-bus';
import { EventPublisher } from './event-publisher';

describe('EventPublisher', () => {
  let bus: RecordingBus;
  let topic: string;
  let publisher: EventPublisher;
  const taskId = randomUUID();
  const progress = (done: number): TaskEvent => buildTaskEvent('progress', taskId, 1, { progress: { done } });
  const sent = () => bus.publishes.filter((call) => call.topic === topic);

  beforeEach(async () => {
    bus = new RecordingBus();
    await bus.connect();
    topic = topicNames(uniqueName('events')).taskEvents;
    publisher = new EventPublisher(bus, topic, createSilentLogger());
  });
  afterEach(() => bus.close());

  it('publishes the events of one tick in one call, in order, keyed by task id', async () => {
    publisher.publish(progress(1), '00-trace-1');
    publisher.publish(progress(2), undefined);
    publisher.publish(progress(3), undefined);
    expect(sent()).toEqual([]); // nothing is sent inside publish()
    await publisher.flush();
    expect(sent()).toHaveLength(1);
    const messages = sent()[0]?.messages ?? [];
    expect(
      messages.map((message) => (message.value as TaskEvent & { progress: { done: number } }).progress.done),
    ).toEqual([1, 2, 3]);
    expect(messages.map((message) => message.key)).toEqual([taskId, taskId, taskId]);
    expect(messages[0]?.headers).toEqual({ traceparent: '00-trace-1' });
    expect(messages[1]).not.toHaveProperty('headers');
  });

  it('uses one call per tick', async () => {
    publisher.publish(progress(1), undefined);
    await new Promise<void>((resolve) => setImmediate(resolve));
    publisher.publish(progress(2), undefined);
    await publisher.flush();
    expect(sent().map((call) => call.messages.length)).toEqual([1, 1]);
  });

  it('retries a failed publish and keeps later events behind it', async () => {
    const recorder = new MessageRecorder();
    const subscription = await bus.subscribe({ topic, group: uniqueName('g'), handler: recorder.handler });
    try {
      bus.failures = 2;
      publisher.publish(progress(1), undefined);
      await new Promise<void>((resolve) => setImmediate(resolve));
      publisher.publish(progress(2), undefined);
      await publisher.flush();
      // Two failed tries of the first batch, its success, then the second batch.
      expect(sent().map((call) => call.messages.length)).toEqual([1, 1, 1, 1]);
      await recorder.untilCount(2, 5_000);
      expect(recorder.values<{ progress: { done: number } }>().map((value) => value.progress.done)).toEqual([
        1, 2,
      ]);
    } finally {
      await subscription.close();
    }
  });

  it('flush(timeoutMs) gives up on a bus that stays down instead of waiting forever', async () => {
    bus.failures = Number.POSITIVE_INFINITY;
    publisher.publish(progress(1), undefined);
    const startedAt = performance.now();
    await publisher.flush(100);
    const elapsed = performance.now() - startedAt;
    expect(elapsed).toBeGreaterThanOrEqual(95);
    expect(elapsed).toBeLessThan(1_000);
    expect(sent().length).toBeGreaterThanOrEqual(2); // tried, retried, then dropped
  });

  it('flush(timeoutMs) resolves as soon as a recovering bus took everything', async () => {
    bus.failures = 1;
    publisher.publish(progress(1), undefined);
    await publisher.flush(10_000);
    expect(sent().map((call) => call.messages.length)).toEqual([1, 1]);
  });
});
