import { AppError, DEAD_LETTER_HEADERS, deadLetterTopic } from '@contextforge/contracts';
import type { BatchHandler, BusMessage, MessageBus, Subscription } from '@contextforge/contracts';
import { MessageRecorder } from './message-recorder';
import { uniqueName } from './unique-name';

/** What the size cases need from the suite around them (see describeMessageBusContract). */
export interface SizeCaseContext {
  bus(): MessageBus;
  topic(label: string): string;
  subscribe(topic: string, group: string, handler: BatchHandler): Promise<Subscription>;
  /** The limit the subject's bus was built with. */
  maxMessageBytes(): number;
  waitMs: number;
}

const idOf = (message: BusMessage): string => (message.value as { id?: string } | null)?.id ?? '';

/**
 * The message size limit, the same on every adapter: a publish holding a message over it fails
 * as a whole with MESSAGE_TOO_LARGE (not retryable), a message within it is delivered intact, and
 * a dead letter that would be too large goes without its value rather than being retried forever.
 */
export function describeSizeCases(context: SizeCaseContext): void {
  const { waitMs } = context;

  it('rejects a publish holding a message over the size limit with MESSAGE_TOO_LARGE, publishing none of it', async () => {
    const sized = context.topic('sized');
    const limit = context.maxMessageBytes();
    const recorder = new MessageRecorder();
    await context.subscribe(sized, uniqueName('sized'), recorder.handler);

    const failure = await context
      .bus()
      .publish(sized, [
        { key: 'k', value: { id: 'small' } },
        { key: 'k', value: { id: 'huge', text: 'x'.repeat(limit) } },
      ])
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    expect(failure).toBeInstanceOf(AppError);
    expect(failure).toMatchObject({
      code: 'MESSAGE_TOO_LARGE',
      retryable: false,
      details: { topic: sized, key: 'k', maxBytes: limit },
    });
    expect((failure as AppError).details?.['bytes']).toBeGreaterThan(limit);

    // Just within the limit (a few hundred bytes of framing left) goes through, intact.
    const text = 'y'.repeat(limit - 1_000);
    await context.bus().publish(sized, [{ key: 'k', value: { id: 'near', text } }]);
    await context.bus().publish(sized, [{ key: 'k', value: { id: 'fence' } }]);
    await recorder.until((received) => received.some((m) => idOf(m) === 'fence'), waitMs, 'the fence');
    expect(recorder.received.map(idOf)).toEqual(['near', 'fence']);
    expect((recorder.received[0]?.value as { text: string }).text).toBe(text);
  });

  it('dead-letters a message near the size limit without its value when the letter would be too large', async () => {
    const source = context.topic('near-limit');
    const limit = context.maxMessageBytes();
    const dead = new MessageRecorder();
    const handled = new MessageRecorder();
    await Promise.all([
      context.subscribe(source, uniqueName('worker'), async (batch) => {
        if (batch.some((message) => idOf(message) === 'big-poison')) {
          throw new AppError('INVALID_MESSAGE', 'rejected by the handler');
        }
        handled.record(batch);
      }),
      context.subscribe(deadLetterTopic(source), uniqueName('dlq-reader'), dead.handler),
    ]);

    await context
      .bus()
      .publish(source, [{ key: 'p', value: { id: 'big-poison', text: 'z'.repeat(limit - 200) } }]);
    await dead.untilCount(1, waitMs, 'the dead letter');
    await context.bus().publish(source, [{ key: 'p', value: { id: 'after' } }]);
    await handled.until((received) => received.some((m) => idOf(m) === 'after'), waitMs, 'the next message');

    const letter = dead.received[0];
    expect(letter?.key).toBe('p');
    expect(letter?.value).toBeNull();
    expect(letter?.headers).toMatchObject({
      [DEAD_LETTER_HEADERS.originalTopic]: source,
      [DEAD_LETTER_HEADERS.errorCode]: 'INVALID_MESSAGE',
    });
    expect(letter?.headers[DEAD_LETTER_HEADERS.errorMessage]).toMatch(
      /^\[value omitted: .*\] rejected by the handler$/,
    );
  });
}
