import { AppError } from '@contextforge/contracts';
import { z } from 'zod';
import { deferred, waitFor } from '@contextforge/testing';
import { PROGRESS_INTERVAL_MS, defineAgentType } from '../src';
import { AgentHarness } from './support/agent-harness';
import { createGateAgentType } from './support/gate-agent-type';

const TRACEPARENT = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';

const echo = defineAgentType<unknown, unknown>({
  name: 'echo',
  version: '1.0.0',
  handler: async (input) => input,
});
const sum = defineAgentType({
  name: 'sum',
  version: '1.0.0',
  input: z.object({ values: z.array(z.number()) }),
  handler: async ({ values }) => ({ total: values.reduce((a, b) => a + b, 0) }),
});
const crash = defineAgentType<unknown, unknown>({
  name: 'crash',
  version: '1.0.0',
  handler: async () => {
    throw new Error('parser exploded');
  },
});
const refuse = defineAgentType<unknown, unknown>({
  name: 'refuse',
  version: '1.0.0',
  handler: async () => {
    throw new AppError('NON_RETRYABLE_FAILURE', 'binary file');
  },
});
const chatty = defineAgentType<unknown, unknown>({
  name: 'chatty',
  version: '1.0.0',
  handler: async (_input, { progress }) => {
    progress(1, 3, 'parsing');
    await Promise.resolve();
    progress(2);
    return 'done';
  },
});

const patientGate = deferred();
const patient = defineAgentType<unknown, unknown>({
  name: 'patient',
  version: '1.0.0',
  handler: async (_input, { progress }) => {
    progress(1, 10);
    progress(2, 10);
    progress(3, 10);
    await patientGate.promise;
    return 'done';
  },
});

describe('AgentRuntime running tasks', () => {
  let harness: AgentHarness;
  const gate = createGateAgentType();
  const stubborn = createGateAgentType('stubborn', { honourSignal: false });

  beforeEach(async () => {
    harness = await AgentHarness.create({
      agentTypes: [echo, sum, crash, refuse, chatty, patient, gate.type, stubborn.type],
      concurrency: 2,
    });
  });
  afterEach(() => harness.close());

  it('runs an accepted echo assignment and publishes started then succeeded with its output', async () => {
    const task = harness.task('echo', { input: { path: 'a.ts', lines: [1, 2] } });
    await harness.dispatch(task, 3, TRACEPARENT);
    const succeeded = await harness.until(task.id, 'succeeded');
    expect(harness.eventsOf(task.id).map((event) => event.type)).toEqual(['started', 'succeeded']);
    expect(harness.eventsOf(task.id)[0]).toMatchObject({ attempt: 3, agentId: harness.agentId });
    expect(succeeded).toMatchObject({
      taskId: task.id,
      attempt: 3,
      agentId: harness.agentId,
      output: { path: 'a.ts', lines: [1, 2] },
    });
    expect(succeeded.durationMs).toBeGreaterThanOrEqual(0);
    expect(harness.messagesOf(task.id).map((message) => message.headers['traceparent'])).toEqual([
      TRACEPARENT,
      TRACEPARENT,
    ]);
    expect(harness.runtime.load().inFlight).toBe(0);
  });

  it('refuses work beyond its concurrency with AGENT_AT_CAPACITY and takes more once a slot frees', async () => {
    const [first, second, third] = [harness.task('gate'), harness.task('gate'), harness.task('echo')];
    await harness.dispatch(first);
    await harness.dispatch(second);
    await expect(harness.dispatch(third)).rejects.toMatchObject({
      code: 'AGENT_AT_CAPACITY',
      retryable: true,
      details: { concurrency: 2 },
    });
    expect(harness.runtime.load()).toMatchObject({ inFlight: 2, concurrency: 2 });
    (await gate.entered(first.id)).gate.resolve('ok');
    await harness.until(first.id, 'succeeded');
    await harness.dispatch(third);
    await harness.until(third.id, 'succeeded');
    (await gate.entered(second.id)).gate.resolve('ok');
    await harness.until(second.id, 'succeeded');
  });

  it("refuses work beyond an agent type's own concurrency while other types still run", async () => {
    const narrow = createGateAgentType('narrow');
    const limited = { ...narrow.type, concurrency: 1 };
    const own = await AgentHarness.create({ agentTypes: [limited, echo], concurrency: 4 });
    try {
      const [first, second, other] = [own.task('narrow'), own.task('narrow'), own.task('echo')];
      await own.dispatch(first);
      await expect(own.dispatch(second)).rejects.toMatchObject({
        code: 'AGENT_AT_CAPACITY',
        details: { typeConcurrency: 1 },
      });
      await own.dispatch(other);
      await own.until(other.id, 'succeeded');
      (await narrow.entered(first.id)).gate.resolve('ok');
      await own.until(first.id, 'succeeded');
      await own.dispatch(second);
      (await narrow.entered(second.id)).gate.resolve('ok');
      await own.until(second.id, 'succeeded');
    } finally {
      await own.close();
    }
  });

  it('refuses a task type it does not run with UNKNOWN_TASK_TYPE and publishes nothing for it', async () => {
    const task = harness.task('translate');
    await expect(harness.dispatch(task)).rejects.toMatchObject({
      code: 'UNKNOWN_TASK_TYPE',
      retryable: false,
    });
    expect(harness.runtime.load().inFlight).toBe(0);
    expect(harness.publishedTypes(task.id)).toEqual([]);
  });

  it('treats a second accept of the same task and attempt as a no-op, and a new attempt as new work', async () => {
    const task = harness.task('gate');
    await harness.dispatch(task, 1);
    await harness.dispatch(task, 1);
    const call = await gate.entered(task.id, 1);
    expect(gate.calls.filter((c) => c.context.taskId === task.id)).toHaveLength(1);
    expect(harness.runtime.load().inFlight).toBe(1);
    await harness.dispatch(task, 2);
    (await gate.entered(task.id, 2)).gate.resolve('second');
    call.gate.resolve('first');
    await harness.runtime.stop();
    expect(harness.publishedTypes(task.id).sort()).toEqual(['started', 'started', 'succeeded', 'succeeded']);
  });

  it('cancel aborts the handler with TASK_CANCELLED and publishes cancelled', async () => {
    const task = harness.task('gate');
    await harness.dispatch(task, 2);
    const call = await gate.entered(task.id, 2);
    await harness.network.cancel(harness.endpoint, task.id, 2, 'cancelled by client');
    expect(call.context.signal.aborted).toBe(true);
    expect(call.context.signal.reason).toMatchObject({ code: 'TASK_CANCELLED' });
    const cancelled = await harness.until(task.id, 'cancelled');
    expect(cancelled).toMatchObject({ attempt: 2, reason: 'cancelled by client' });
    expect(harness.eventsOf(task.id).map((event) => event.type)).toEqual(['started', 'cancelled']);
  });

  it('cancel of an attempt it does not run resolves and changes nothing', async () => {
    const task = harness.task('gate');
    await harness.dispatch(task, 1);
    const call = await gate.entered(task.id, 1);
    await harness.network.cancel(harness.endpoint, task.id, 2, 'stale cancel');
    expect(call.context.signal.aborted).toBe(false);
    call.gate.resolve('ok');
    await harness.until(task.id, 'succeeded');
  });

  it('aborts the handler at the task timeoutMs and publishes a retryable TASK_TIMEOUT failure', async () => {
    const task = harness.task('gate', { timeoutMs: 50 });
    await harness.dispatch(task);
    const call = await gate.entered(task.id);
    const failed = await harness.until(task.id, 'failed');
    expect(call.context.signal.aborted).toBe(true);
    expect(failed).toMatchObject({
      agentId: harness.agentId,
      error: { code: 'TASK_TIMEOUT', retryable: true },
    });
  });

  it('ends an attempt whose handler ignores its signal at the timeout, frees the slot and ignores its late output', async () => {
    const task = harness.task('stubborn', { timeoutMs: 50 });
    await harness.dispatch(task);
    const call = await stubborn.entered(task.id);
    await harness.until(task.id, 'failed');
    expect(harness.runtime.load().inFlight).toBe(0);
    call.context.progress(1);
    call.gate.resolve('too late');
    await harness.runtime.stop();
    expect(harness.publishedTypes(task.id)).toEqual(['started', 'failed']);
  });

  it('fails an input that does not match the agent type schema without retries and without running it', async () => {
    const bad = harness.task('sum', { input: { values: [1, 'two'] } });
    await harness.dispatch(bad);
    const failed = await harness.until(bad.id, 'failed');
    expect(failed.error).toMatchObject({ code: 'VALIDATION_FAILED', retryable: false });
    expect(failed.error.message).toContain('values[1]');
    const good = harness.task('sum', { input: { values: [1, 2] } });
    await harness.dispatch(good);
    expect((await harness.until(good.id, 'succeeded')).output).toEqual({ total: 3 });
  });

  it('publishes a retryable HANDLER_FAILED when a handler throws a plain Error', async () => {
    const task = harness.task('crash');
    await harness.dispatch(task);
    const failed = await harness.until(task.id, 'failed');
    expect(failed.error).toEqual({ code: 'HANDLER_FAILED', message: 'parser exploded', retryable: true });
  });

  it('keeps the code and retryable=false of an AppError the handler throws', async () => {
    const task = harness.task('refuse');
    await harness.dispatch(task);
    const failed = await harness.until(task.id, 'failed');
    expect(failed.error).toMatchObject({
      code: 'NON_RETRYABLE_FAILURE',
      message: 'binary file',
      retryable: false,
    });
  });

  it('publishes the first progress at once, between started and succeeded; the outcome supersedes the rest', async () => {
    const task = harness.task('chatty');
    await harness.dispatch(task);
    await harness.until(task.id, 'succeeded');
    const events = harness.eventsOf(task.id);
    expect(events.map((event) => event.type)).toEqual(['started', 'progress', 'succeeded']);
    expect(events[1]).toMatchObject({
      agentId: harness.agentId,
      progress: { done: 1, total: 3, message: 'parsing' },
    });
  });

  it('coalesces progress reported meanwhile and publishes the latest once the interval is over', async () => {
    const task = harness.task('patient');
    await harness.dispatch(task);
    await waitFor(() => harness.eventsOf(task.id).filter((event) => event.type === 'progress').length === 2, {
      timeoutMs: 5_000,
      label: 'the trailing progress event',
    });
    patientGate.resolve();
    await harness.until(task.id, 'succeeded');
    const events = harness.eventsOf(task.id);
    expect(events.map((event) => event.type)).toEqual(['started', 'progress', 'progress', 'succeeded']);
    expect(events[1]).toMatchObject({ progress: { done: 1, total: 10 } });
    expect(events[2]).toMatchObject({ progress: { done: 3, total: 10 } });
    expect(Date.parse(events[2]?.at ?? '') - Date.parse(events[1]?.at ?? '')).toBeGreaterThanOrEqual(
      PROGRESS_INTERVAL_MS - 5,
    );
  });

  it('publishes the events of one tick in one bus publish', async () => {
    const task = harness.task('chatty');
    await harness.dispatch(task);
    await harness.until(task.id, 'succeeded');
    const calls = harness.bus.publishes.filter((call) => call.topic === harness.topics.taskEvents);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.messages.map((message) => message.key)).toEqual([task.id, task.id, task.id]);
  });
});
