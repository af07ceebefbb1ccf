import type { Message } from 'kafkajs';
import { MAX_SEND_MESSAGES, PublishCoalescer, type TopicBatch } from './publish-coalescer';

/** A send function whose requests the test acknowledges (or fails) one by one. */
function controlledSend() {
  const requests: Array<{ batches: TopicBatch[]; ack: () => void; fail: (error: Error) => void }> = [];
  let onRequest: (() => void) | undefined;
  const send = (batches: TopicBatch[]) =>
    new Promise<void>((ack, fail) => {
      requests.push({ batches, ack, fail });
      onRequest?.();
    });
  const nextRequest = async (index: number) => {
    while (requests.length <= index) await new Promise<void>((resolve) => (onRequest = resolve));
    return requests[index] as (typeof requests)[number];
  };
  return { send, requests, nextRequest };
}

const message = (key: string): Message => ({ key, value: `{"k":"${key}"}` });
const keys = (batches: TopicBatch[]) =>
  batches.map((batch) => [batch.topic, batch.messages.map((m) => m.key)]);

describe('PublishCoalescer', () => {
  it('sends an idle publish at once and resolves it only when its request is acknowledged', async () => {
    const { send, nextRequest } = controlledSend();
    const coalescer = new PublishCoalescer(send);
    let resolved = false;
    const published = coalescer.publish('a', [message('1')]).then(() => (resolved = true));

    const request = await nextRequest(0);
    expect(keys(request.batches)).toEqual([['a', ['1']]]);
    await Promise.resolve();
    expect(resolved).toBe(false);
    request.ack();
    await published;
    expect(resolved).toBe(true);
  });

  it('with a linger, lets publishes made before it ends share the first request', async () => {
    const { send, requests, nextRequest } = controlledSend();
    const lingering = new PublishCoalescer(send, { lingerMs: 20 });
    const first = lingering.publish('a', [message('1')]);
    await Promise.resolve();
    const second = lingering.publish('b', [message('2')]);
    expect(requests).toHaveLength(0);

    const request = await nextRequest(0);
    expect(keys(request.batches)).toEqual([
      ['a', ['1']],
      ['b', ['2']],
    ]);
    request.ack();
    await Promise.all([first, second]);
    expect(requests).toHaveLength(1);

    // Without one, the first publish leaves alone and the second waits for the next request.
    const immediate = controlledSend();
    const eager = new PublishCoalescer(immediate.send);
    void eager.publish('a', [message('1')]);
    await Promise.resolve();
    void eager.publish('b', [message('2')]);
    expect(keys((await immediate.nextRequest(0)).batches)).toEqual([['a', ['1']]]);
  });

  it('puts everything published while a request is in flight into the next one, grouped by topic in order', async () => {
    const { send, requests, nextRequest } = controlledSend();
    const coalescer = new PublishCoalescer(send);
    const first = coalescer.publish('a', [message('1')]);
    const firstRequest = await nextRequest(0);
    const later = [
      coalescer.publish('b', [message('2')]),
      coalescer.publish('a', [message('3'), message('4')]),
      coalescer.publish('b', [message('5')]),
    ];
    expect(requests).toHaveLength(1);

    firstRequest.ack();
    await first;
    const second = await nextRequest(1);
    expect(keys(second.batches)).toEqual([
      ['b', ['2', '5']],
      ['a', ['3', '4']],
    ]);
    second.ack();
    await Promise.all(later);
    expect(requests).toHaveLength(2);
  });

  it('rejects the publishes of a failed request with its error and goes on with the next', async () => {
    const { send, nextRequest } = controlledSend();
    const coalescer = new PublishCoalescer(send);
    const failing = coalescer.publish('a', [message('1')]);
    const firstRequest = await nextRequest(0);
    const next = coalescer.publish('a', [message('2')]);

    firstRequest.fail(new Error('broker down'));
    await expect(failing).rejects.toThrow('broker down');
    (await nextRequest(1)).ack();
    await expect(next).resolves.toBeUndefined();
  });

  it('starts a new request when the next publish would pass the message limit', async () => {
    const { send, nextRequest } = controlledSend();
    const coalescer = new PublishCoalescer(send);
    const blocker = coalescer.publish('a', [message('0')]);
    const blockerRequest = await nextRequest(0);
    const many = Array.from({ length: MAX_SEND_MESSAGES - 1 }, (_, index) => message(`m${index}`));
    const big = coalescer.publish('a', many);
    const small = coalescer.publish('a', [message('x'), message('y')]);

    blockerRequest.ack();
    await blocker;
    const second = await nextRequest(1);
    expect(second.batches[0]?.messages).toHaveLength(MAX_SEND_MESSAGES - 1);
    second.ack();
    await big;
    const third = await nextRequest(2);
    expect(keys(third.batches)).toEqual([['a', ['x', 'y']]]);
    third.ack();
    await small;
  });
});
