import { DiscoveryWatchRecorder } from '@contextforge/testing';
import { defineAgentType } from '../src';
import { AgentHarness } from './support/agent-harness';
import { createGateAgentType } from './support/gate-agent-type';

const echo = defineAgentType<unknown, unknown>({
  name: 'echo',
  version: '1.0.0',
  handler: async (input) => input,
});
const DRAIN_MS = 150;

describe('AgentRuntime.stop (drain)', () => {
  let harness: AgentHarness;
  let watch: DiscoveryWatchRecorder;
  const gate = createGateAgentType();
  const stubborn = createGateAgentType('stubborn', { honourSignal: false });

  beforeEach(async () => {
    harness = await AgentHarness.create({
      agentTypes: [echo, gate.type, stubborn.type],
      drainTimeoutMs: DRAIN_MS,
    });
    watch = new DiscoveryWatchRecorder(harness.discovery);
  });
  afterEach(async () => {
    watch.close();
    await harness.close();
  });

  it('reports warning, refuses new work, lets a short task finish, hands back a long one, then deregisters', async () => {
    const [short, long] = [harness.task('gate'), harness.task('gate')];
    await harness.dispatch(short);
    await harness.dispatch(long);
    const shortCall = await gate.entered(short.id);
    const longCall = await gate.entered(long.id);

    const startedAt = performance.now();
    const stopped = harness.runtime.stop();
    const [draining] = await watch.until((agents) => agents[0]?.health === 'warning', 'the agent draining');
    expect(draining?.note).toBe('draining');
    expect(harness.runtime.load().draining).toBe(true);
    await expect(harness.dispatch(harness.task('echo'))).rejects.toMatchObject({ code: 'AGENT_DRAINING' });

    shortCall.gate.resolve({ done: true });
    await harness.until(short.id, 'succeeded');
    expect(longCall.context.signal.aborted).toBe(false);

    await stopped;
    expect(performance.now() - startedAt).toBeGreaterThanOrEqual(DRAIN_MS - 5);
    expect(longCall.context.signal.reason).toMatchObject({ code: 'AGENT_DRAINING' });
    const failed = await harness.until(long.id, 'failed');
    expect(failed.error).toMatchObject({ code: 'AGENT_DRAINING', retryable: true });
    expect(await harness.discovery.list()).toEqual([]);
    await expect(harness.network.ping(harness.endpoint)).rejects.toMatchObject({ code: 'AGENT_UNREACHABLE' });
  });

  it('returns as soon as running attempts finish when they finish before drainTimeoutMs', async () => {
    const task = harness.task('gate');
    await harness.dispatch(task);
    const call = await gate.entered(task.id);
    const stopped = harness.runtime.stop();
    await watch.until((agents) => agents[0]?.health === 'warning', 'the agent draining');
    call.gate.resolve('ok');
    await stopped;
    expect(call.context.signal.aborted).toBe(false);
    expect(harness.publishedTypes(task.id)).toEqual(['started', 'succeeded']);
  });

  it('finishes even when a handler ignores its signal, handing the attempt back', async () => {
    const task = harness.task('stubborn');
    await harness.dispatch(task);
    await stubborn.entered(task.id);
    await harness.runtime.stop();
    expect(harness.publishedTypes(task.id)).toEqual(['started', 'failed']);
    expect((await harness.until(task.id, 'failed')).error.code).toBe('AGENT_DRAINING');
  });

  it('makes every stop() caller wait for the same drain', async () => {
    const task = harness.task('gate');
    await harness.dispatch(task);
    const call = await gate.entered(task.id);
    const first = harness.runtime.stop();
    const second = harness.runtime.stop();
    expect(second).toBe(first);
    call.gate.resolve('ok');
    await second;
    expect(harness.publishedTypes(task.id)).toEqual(['started', 'succeeded']);
  });

  it('does not hang when the bus is down at shutdown: unsent events are dropped after drainTimeoutMs', async () => {
    harness.bus.failures = Number.POSITIVE_INFINITY;
    const task = harness.task('echo');
    await harness.dispatch(task);
    const startedAt = performance.now();
    await harness.runtime.stop();
    expect(performance.now() - startedAt).toBeLessThan(DRAIN_MS + 1_000);
    expect(await harness.discovery.list()).toEqual([]);
    expect(harness.publishedTypes(task.id)).toEqual(expect.arrayContaining(['started', 'succeeded']));
  });
});
