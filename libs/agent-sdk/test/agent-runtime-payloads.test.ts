import { AppError, jsonByteLength } from '@contextforge/contracts';
import { FakePayloadStore } from '@contextforge/testing';
import { defineAgentType } from '../src';
import { AgentHarness } from './support/agent-harness';

const LIMIT = 4 * 1024;

const produce = defineAgentType<{ bytes: number }, unknown>({
  name: 'produce',
  version: '1.0.0',
  handler: async ({ bytes }) => ({ text: 'x'.repeat(bytes) }),
});

describe('AgentRuntime with a payload store (outputs by reference)', () => {
  let store: FakePayloadStore;
  let harness: AgentHarness;

  beforeEach(async () => {
    store = new FakePayloadStore();
    harness = await AgentHarness.create({
      agentTypes: [produce],
      payloadStore: store,
      inlineLimitBytes: LIMIT,
    });
  });
  afterEach(() => harness.close());

  it('uploads an output above the inline limit under the attempt and publishes only its id', async () => {
    const task = harness.task('produce', { input: { bytes: 200_000 } });
    store.open(task.id, 2, 'token-2');
    await harness.dispatch(task, 2);

    const succeeded = await harness.until(task.id, 'succeeded');

    expect(succeeded).not.toHaveProperty('output');
    expect(succeeded).toMatchObject({ attempt: 2, token: 'token-2', outputRef: expect.any(String) });
    expect(await store.get(succeeded.outputRef ?? '')).toMatchObject({
      taskId: task.id,
      attempt: 2,
      content: { text: 'x'.repeat(200_000) },
    });
    for (const message of harness.messagesOf(task.id))
      expect(jsonByteLength(message.value)).toBeLessThan(LIMIT);
  });

  it('publishes an output within the limit inline and uploads nothing', async () => {
    const task = harness.task('produce', { input: { bytes: 100 } });
    store.open(task.id, 1, 'token-1');
    await harness.dispatch(task);

    const succeeded = await harness.until(task.id, 'succeeded');

    expect(succeeded.output).toEqual({ text: 'x'.repeat(100) });
    expect(succeeded).not.toHaveProperty('outputRef');
    expect(store.payloads.size).toBe(0);
  });

  it('fails the attempt with the store refusal (a stale token), never publishing the output', async () => {
    const task = harness.task('produce', { input: { bytes: 200_000 } });
    store.open(task.id, 1, 'a-newer-claim');
    await harness.dispatch(task);

    const failed = await harness.until(task.id, 'failed');

    expect(failed.error).toMatchObject({ code: 'STALE_TOKEN', retryable: false });
    expect(harness.eventsOf(task.id).map((event) => event.type)).toEqual(['started', 'failed']);
  });

  it('retries an unavailable store, then fails the attempt as retryable', async () => {
    const task = harness.task('produce', { input: { bytes: 200_000 } });
    store.open(task.id, 1, 'token-1');
    store.failure = new AppError('SERVICE_UNAVAILABLE', 'result-store down');
    const put = jest.spyOn(store, 'put');
    await harness.dispatch(task);

    const failed = await harness.until(task.id, 'failed');

    expect(failed.error).toMatchObject({ code: 'SERVICE_UNAVAILABLE', retryable: true });
    expect(put).toHaveBeenCalledTimes(3);
  });
});

describe('AgentRuntime without a payload store', () => {
  it('publishes every output inline, as before', async () => {
    const harness = await AgentHarness.create({ agentTypes: [produce] });
    try {
      const task = harness.task('produce', { input: { bytes: 100_000 } });
      await harness.dispatch(task);
      const succeeded = await harness.until(task.id, 'succeeded');
      expect(succeeded.output).toEqual({ text: 'x'.repeat(100_000) });
    } finally {
      await harness.close();
    }
  });
});
