import { AppError, DEAD_LETTER_HEADERS, deadLetterTopic } from '@contextforge/contracts';
import type {
  BatchHandler,
  BusMessage,
  MessageBus,
  OutgoingMessage,
  Subscription,
} from '@contextforge/contracts';
import { deferred } from './deferred';
import { describeSizeCases } from './message-bus-contract-size';
import { MessageRecorder } from './message-recorder';
import { uniqueName } from './unique-name';
import { withTimeout } from './wait-for';

/** What a MessageBus adapter under test hands the contract suite. */
export interface MessageBusContractSubject {
  /**
   * Already connected. Build it with short retry delays (e.g. maxRetries 2, initialDelayMs 5,
   * maxDelayMs 50) and at least one retry: the suite waits for retries to run out.
   */
  bus: MessageBus;
  /** Unique per call; every topic of the test starts with it. */
  topicPrefix: string;
  /** Closes the bus and whatever the factory started (topics may be left to the broker's retention). */
  cleanup(): Promise<void>;
  /** The message size limit the bus was built with (default 1,000,000, the adapters' default). */
  maxMessageBytes?: number;
}

export type MessageBusContractFactory = () => Promise<MessageBusContractSubject>;

export interface MessageBusContractOptions {
  /** Bound on each wait for delivery (default 30 s: a Kafka group join or rebalance takes seconds). */
  waitMs?: number;
}

/** The adapters' default message size limit (libs/messaging's DEFAULT_MAX_MESSAGE_BYTES). */
const DEFAULT_MAX_MESSAGE_BYTES = 1_000_000;

interface Payload {
  id: string;
  seq?: number;
}

function payload(message: BusMessage): Payload {
  return message.value as Payload;
}

function messages(count: number, make: (index: number) => OutgoingMessage): OutgoingMessage[] {
  return Array.from({ length: count }, (_, index) => make(index));
}

function ids(received: readonly BusMessage[]): string[] {
  return received.map((message) => payload(message).id);
}

/**
 * The behaviour every MessageBus adapter must show (see the port's doc comment), run once per
 * adapter: memory and Kafka. Each test gets a fresh subject with its own topic prefix. Waits are
 * on promises resolved by handlers, each bounded by `waitMs`; nothing sleeps.
 *
 * "No duplicates" is checked with fences: after the messages under test, a fence message is
 * published on the same key. A redelivery comes before anything later in its partition, so once
 * every fence has arrived any duplicate would have arrived too.
 */
export function describeMessageBusContract(
  name: string,
  factory: MessageBusContractFactory,
  options: MessageBusContractOptions = {},
): void {
  const waitMs = options.waitMs ?? 30_000;

  describe(`MessageBus contract: ${name}`, () => {
    let subject: MessageBusContractSubject;
    let subscriptions: Subscription[] = [];
    const bus = (): MessageBus => subject.bus;
    const topic = (label: string): string => `${subject.topicPrefix}.${label}`;
    const subscribe = async (
      topicName: string,
      group: string,
      handler: BatchHandler,
      maxBatchSize?: number,
    ): Promise<Subscription> => {
      const subscription = await bus().subscribe({ topic: topicName, group, handler, maxBatchSize });
      subscriptions.push(subscription);
      return subscription;
    };

    beforeEach(async () => {
      subject = await factory();
      subscriptions = [];
    });

    afterEach(async () => {
      await Promise.all(subscriptions.map((subscription) => subscription.close()));
      await subject.cleanup();
    });

    it('delivers key, value and headers as published', async () => {
      const orders = topic('orders');
      const recorder = new MessageRecorder();
      await subscribe(orders, uniqueName('g'), recorder.handler);
      const value = { id: 'm1', nested: { list: [1, 'two', null], flag: true }, text: 'zaż\u00f3łć ✓' };
      await bus().publish(orders, [
        { key: 'key-1', value, headers: { traceparent: '00-abc-def-01', 'x-a': 'b' } },
      ]);

      await recorder.untilCount(1, waitMs);
      const [message] = recorder.received;
      expect(message).toMatchObject({
        topic: orders,
        key: 'key-1',
        value,
        headers: { traceparent: '00-abc-def-01', 'x-a': 'b' },
      });
      expect(Object.keys(message?.headers ?? {}).sort()).toEqual(['traceparent', 'x-a']);
      expect(Number.isInteger(message?.partition)).toBe(true);
      expect(message?.offset).toMatch(/^\d+$/);
    });

    it('starts a new group at the oldest retained message', async () => {
      const events = topic('events');
      await bus().publish(
        events,
        messages(10, (index) => ({ key: `k${index % 3}`, value: { id: `e${index}` } })),
      );
      const recorder = new MessageRecorder();
      await subscribe(events, uniqueName('late'), recorder.handler);

      await recorder.untilCount(10, waitMs);
      expect(ids(recorder.received).sort()).toEqual(
        Array.from({ length: 10 }, (_, index) => `e${index}`).sort(),
      );
    });

    it("starts a new group with from: 'latest' after the newest message", async () => {
      const live = topic('live');
      await bus().publish(
        live,
        messages(8, (index) => ({ key: `k${index % 4}`, value: { id: `old${index}` } })),
      );
      const group = uniqueName('latest');
      const recorder = new MessageRecorder();
      const first = await bus().subscribe({ topic: live, group, handler: recorder.handler, from: 'latest' });
      subscriptions.push(first);
      // Published right after subscribe resolved: none of these may be lost.
      await bus().publish(
        live,
        messages(8, (index) => ({ key: `k${index % 4}`, value: { id: `new${index}` } })),
      );
      // A fence per key: anything older in those partitions would have arrived before it.
      const fences = messages(4, (index) => ({ key: `k${index}`, value: { id: `fence${index}` } }));
      await bus().publish(live, fences);
      await recorder.until(
        (received) => ids(received).filter((id) => id.startsWith('fence')).length === 4,
        waitMs,
        'the fences',
      );

      expect(
        ids(recorder.received)
          .filter((id) => !id.startsWith('fence'))
          .sort(),
      ).toEqual(Array.from({ length: 8 }, (_, index) => `new${index}`).sort());
    });

    it('gives every group every message', async () => {
      const events = topic('events');
      const first = new MessageRecorder();
      const second = new MessageRecorder();
      await Promise.all([
        subscribe(events, uniqueName('first'), first.handler),
        subscribe(events, uniqueName('second'), second.handler),
      ]);
      const sent = messages(50, (index) => ({ key: `k${index}`, value: { id: `e${index}` } }));
      await bus().publish(events, sent);

      await Promise.all([first.untilCount(50, waitMs), second.untilCount(50, waitMs)]);
      const expected = sent.map((message) => (message.value as Payload).id).sort();
      expect(ids(first.received).sort()).toEqual(expected);
      expect(ids(second.received).sort()).toEqual(expected);
    });

    it('gives each message to exactly one member of a group', async () => {
      const work = topic('work');
      const group = uniqueName('workers');
      const all = new MessageRecorder();
      const perMember: BusMessage[][] = [[], []];
      await Promise.all(
        perMember.map((received) =>
          subscribe(work, group, async (batch) => {
            received.push(...batch);
            all.record(batch);
          }),
        ),
      );
      const keys = Array.from({ length: 200 }, (_, index) => `key-${index}`);
      await bus().publish(
        work,
        keys.map((key, index) => ({ key, value: { id: `w${index}` } })),
      );
      await bus().publish(
        work,
        keys.map((key, index) => ({ key, value: { id: `fence${index}` } })),
      );

      await all.until(
        (received) => ids(received).filter((id) => id.startsWith('fence')).length === 200,
        waitMs,
        'all fences',
      );
      const delivered = ids(all.received).filter((id) => id.startsWith('w'));
      expect(delivered).toHaveLength(200);
      expect(new Set(delivered).size).toBe(200);
      expect(perMember[0]?.length).toBeGreaterThan(0);
      expect(perMember[1]?.length).toBeGreaterThan(0);
    });

    it('keeps per-key order and never runs two batches of one partition at once', async () => {
      const ordered = topic('ordered');
      const group = uniqueName('ordered');
      const seen = new Map<string, number[]>();
      const inFlight = new Map<number, number>();
      let overlaps = 0;
      const done = new MessageRecorder();
      const handler: BatchHandler = async (batch) => {
        const partitions = new Set(batch.map((message) => message.partition));
        for (const partition of partitions) {
          const now = (inFlight.get(partition) ?? 0) + 1;
          if (now > 1) overlaps += 1;
          inFlight.set(partition, now);
        }
        // Yield a few turns so that the members' batches interleave.
        for (let turn = 0; turn < 1 + Math.floor(Math.random() * 3); turn += 1) {
          await new Promise((resolve) => setImmediate(resolve));
        }
        for (const message of batch) {
          const list = seen.get(message.key) ?? [];
          list.push(payload(message).seq ?? -1);
          seen.set(message.key, list);
        }
        for (const partition of partitions) inFlight.set(partition, (inFlight.get(partition) ?? 1) - 1);
        done.record(batch);
      };
      await Promise.all([subscribe(ordered, group, handler, 7), subscribe(ordered, group, handler, 7)]);

      // Each chunk is published once a message of the previous one was handled, so publishing
      // overlaps with batches in flight.
      const keys = Array.from({ length: 10 }, (_, index) => `order-${index}`);
      const chunkSize = 5;
      const perKey = 50;
      for (let chunk = 0; chunk < perKey / chunkSize; chunk += 1) {
        const first = chunk * chunkSize;
        await Promise.all(
          keys.map((key) =>
            bus().publish(
              ordered,
              messages(chunkSize, (index) => ({
                key,
                value: { id: `${key}-${first + index}`, seq: first + index },
              })),
            ),
          ),
        );
        await done.until(
          (received) => received.some((message) => (payload(message).seq ?? -1) >= first),
          waitMs,
          `a message of chunk ${chunk}`,
        );
      }

      await done.untilCount(keys.length * perKey, waitMs);
      const expected = Array.from({ length: perKey }, (_, index) => index);
      for (const key of keys) expect(seen.get(key)).toEqual(expected);
      expect(overlaps).toBe(0);
    });

    it('gives a failed batch again and then acknowledges it once', async () => {
      const retried = topic('retried');
      let failures = 0;
      const recorder = new MessageRecorder();
      const handler: BatchHandler = async (batch) => {
        if (failures === 0 && ids(batch).includes('flaky')) {
          failures += 1;
          throw new AppError('SERVICE_UNAVAILABLE', 'database briefly down');
        }
        recorder.record(batch);
      };
      await subscribe(retried, uniqueName('retry'), handler);
      await bus().publish(retried, [{ key: 'same', value: { id: 'flaky' } }]);
      await recorder.until((received) => ids(received).includes('flaky'), waitMs, 'the retried message');
      await bus().publish(retried, [{ key: 'same', value: { id: 'fence' } }]);
      await recorder.until((received) => ids(received).includes('fence'), waitMs, 'the fence');

      expect(failures).toBe(1);
      expect(ids(recorder.received)).toEqual(['flaky', 'fence']);
    });

    it('gives the failed batch of a member that left to another member', async () => {
      const handover = topic('handover');
      const group = uniqueName('handover');
      const failedOnce = deferred<BusMessage>();
      let firstClose: Promise<void> | undefined;
      const first: Subscription = await subscribe(handover, group, async (batch) => {
        firstClose ??= first.close();
        const [message] = batch;
        if (message) failedOnce.resolve(message);
        throw new AppError('SERVICE_UNAVAILABLE', 'member is going away');
      });
      await bus().publish(handover, [{ key: 'job', value: { id: 'job-1' } }]);
      const failed = await withTimeout(failedOnce.promise, waitMs, 'the first member to fail');
      await withTimeout(
        firstClose ?? Promise.reject(new Error('close was not started')),
        waitMs,
        'the first close',
      );

      const second = new MessageRecorder();
      await subscribe(handover, group, second.handler);
      await second.untilCount(1, waitMs);
      expect(second.received[0]).toMatchObject({ key: 'job', value: { id: 'job-1' }, offset: failed.offset });
    });

    it('dead-letters a poison message with the reason in headers and goes on', async () => {
      const source = topic('source');
      const group = uniqueName('validator');
      let attemptsOnPoison = 0;
      const handled = new MessageRecorder();
      const handler: BatchHandler = async (batch) => {
        if (ids(batch).includes('poison')) {
          attemptsOnPoison += 1;
          throw new AppError('INVALID_MESSAGE', 'field "task" is required');
        }
        handled.record(batch);
      };
      const dead = new MessageRecorder();
      await Promise.all([
        subscribe(source, group, handler),
        subscribe(deadLetterTopic(source), uniqueName('dlq-reader'), dead.handler),
      ]);

      await bus().publish(source, [
        { key: 'p', value: { id: 'ok-1' } },
        { key: 'p', value: { id: 'poison' }, headers: { traceparent: '00-trace-span-01' } },
        { key: 'p', value: { id: 'ok-2' } },
      ]);
      await dead.untilCount(1, waitMs, 'the dead letter');
      await bus().publish(source, [{ key: 'p', value: { id: 'ok-3' } }]);
      await handled.until(
        (received) => ids(received).includes('ok-3'),
        waitMs,
        'the message after the poison',
      );

      expect(ids(handled.received)).toEqual(['ok-1', 'ok-2', 'ok-3']);
      expect(ids(dead.received)).toEqual(['poison']);
      const letter = dead.received[0];
      expect(letter?.key).toBe('p');
      expect(letter?.headers).toMatchObject({
        traceparent: '00-trace-span-01',
        [DEAD_LETTER_HEADERS.originalTopic]: source,
        [DEAD_LETTER_HEADERS.group]: group,
        [DEAD_LETTER_HEADERS.errorCode]: 'INVALID_MESSAGE',
        [DEAD_LETTER_HEADERS.errorMessage]: 'field "task" is required',
        [DEAD_LETTER_HEADERS.attempts]: String(attemptsOnPoison),
      });
      expect(Date.parse(letter?.headers[DEAD_LETTER_HEADERS.at] ?? '')).not.toBeNaN();
    });

    it('dead-letters a message whose retryable failures outlast the retries', async () => {
      const source = topic('flaky');
      const group = uniqueName('worker');
      let attempts = 0;
      const handled = new MessageRecorder();
      const handler: BatchHandler = async (batch) => {
        if (ids(batch).includes('doomed')) {
          attempts += 1;
          throw new AppError('AGENT_UNREACHABLE', 'agent is down');
        }
        handled.record(batch);
      };
      const dead = new MessageRecorder();
      await Promise.all([
        subscribe(source, group, handler),
        subscribe(deadLetterTopic(source), uniqueName('dlq-reader'), dead.handler),
      ]);

      await bus().publish(source, [{ key: 'd', value: { id: 'doomed' } }]);
      await dead.untilCount(1, waitMs, 'the dead letter');
      await bus().publish(source, [{ key: 'd', value: { id: 'after' } }]);
      await handled.until((received) => ids(received).includes('after'), waitMs, 'the next message');

      expect(attempts).toBeGreaterThan(1);
      expect(ids(dead.received)).toEqual(['doomed']);
      expect(dead.received[0]?.headers).toMatchObject({
        [DEAD_LETTER_HEADERS.errorCode]: 'AGENT_UNREACHABLE',
        [DEAD_LETTER_HEADERS.attempts]: String(attempts),
      });
      expect(ids(handled.received)).toEqual(['after']);
    });

    it('publishes many messages in one call', async () => {
      const bulk = topic('bulk');
      const recorder = new MessageRecorder();
      await subscribe(bulk, uniqueName('bulk'), recorder.handler, 500);
      const count = 5_000;
      await bus().publish(
        bulk,
        messages(count, (index) => ({ key: `k${index % 64}`, value: { id: `b${index}`, seq: index } })),
      );

      await recorder.untilCount(count, waitMs);
      expect(recorder.received).toHaveLength(count);
      expect(new Set(ids(recorder.received)).size).toBe(count);
      expect(recorder.received.every((message) => message.topic === bulk)).toBe(true);
    });

    it('stops delivering to a closed subscription', async () => {
      const events = topic('closing');
      const closed = new MessageRecorder();
      const open = new MessageRecorder();
      const [subscription] = await Promise.all([
        subscribe(events, uniqueName('closed'), closed.handler),
        subscribe(events, uniqueName('open'), open.handler),
      ]);
      await subscription.close();
      await bus().publish(
        events,
        messages(20, (index) => ({ key: `k${index}`, value: { id: `c${index}` } })),
      );

      await open.untilCount(20, waitMs);
      expect(closed.received).toHaveLength(0);
    });

    it('waitForGroup resolves once the group has handled everything published before the call', async () => {
      const events = topic('catch-up');
      const group = uniqueName('follower');
      const count = 40;
      await bus().publish(
        events,
        messages(count, (index) => ({ key: `k${index % 8}`, value: { id: `e${index}` } })),
      );
      const gate = deferred();
      let handled = 0;
      await subscribe(events, group, async (batch) => {
        await gate.promise;
        handled += batch.length;
      });

      const waiting = bus()
        .waitForGroup(group, events, { timeoutMs: waitMs })
        .then(() => handled);
      // Published after the call: not waited for (the watermarks were read when it was called).
      await bus().publish(events, [{ key: 'k0', value: { id: 'later' } }]);
      gate.resolve();

      expect(await waiting).toBeGreaterThanOrEqual(count);
    });

    it('waitForGroup resolves at once for a topic with nothing in it', async () => {
      const empty = topic('empty');
      await bus().publish(topic('other'), [{ key: 'k', value: { id: 'x' } }]);
      await expect(bus().waitForGroup(uniqueName('nobody'), empty, { timeoutMs: waitMs })).resolves.toBe(
        undefined,
      );
    });

    it('waitForGroup rejects with SERVICE_UNAVAILABLE when the group does not catch up in time', async () => {
      const events = topic('stuck');
      await bus().publish(events, [{ key: 'k', value: { id: 'e' } }]);
      const group = uniqueName('absent');

      const failure = await bus()
        .waitForGroup(group, events, { timeoutMs: 300 })
        .then(
          () => undefined,
          (error: unknown) => error,
        );
      expect(failure).toBeInstanceOf(AppError);
      expect(failure).toMatchObject({
        code: 'SERVICE_UNAVAILABLE',
        message: expect.stringContaining(`group ${group} did not catch up with ${events}`),
      });
    });

    describeSizeCases({
      bus,
      topic,
      subscribe: (topicName, group, handler) => subscribe(topicName, group, handler),
      maxMessageBytes: () => subject.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES,
      waitMs,
    });
  });
}
