import { MemoryAgentNetwork } from '@contextforge/agent-transport';
import {
  AppError,
  topicNames,
  type MessageBus,
  type SubscribeOptions,
  type Subscription,
} from '@contextforge/contracts';
import { MemoryDiscovery } from '@contextforge/discovery';
import { MemoryMessageBus } from '@contextforge/messaging';
import { createSilentLogger } from '@contextforge/observability';
import { deferred, uniqueName, withTimeout } from '@contextforge/testing';
import { Scheduler } from '../src/scheduler';

/** A memory bus whose subscribe() a test can hold back or fail, recording closes. */
class ScriptedBus implements MessageBus {
  readonly inner = new MemoryMessageBus();
  readonly closed: string[] = [];
  constructor(private readonly beforeSubscribe: (options: SubscribeOptions) => Promise<void>) {}
  connect = () => this.inner.connect();
  publish: MessageBus['publish'] = (topic, messages) => this.inner.publish(topic, messages);
  close = () => this.inner.close();
  waitForGroup: MessageBus['waitForGroup'] = (group, topic, options) =>
    this.inner.waitForGroup(group, topic, options);
  async subscribe(options: SubscribeOptions): Promise<Subscription> {
    await this.beforeSubscribe(options);
    const subscription = await this.inner.subscribe(options);
    return {
      close: async () => {
        this.closed.push(options.topic);
        await subscription.close();
      },
    };
  }
}

async function schedulerOn(bus: MessageBus) {
  const discovery = new MemoryDiscovery({ ttlMs: 30_000 });
  await discovery.connect();
  await bus.connect();
  const topics = topicNames(uniqueName('start'));
  const scheduler = new Scheduler({
    bus,
    discovery,
    transport: new MemoryAgentNetwork(),
    topics,
    logger: createSilentLogger(),
    strategy: 'round_robin',
    retry: { initialDelayMs: 5, maxDelayMs: 20 },
    dispatchTimeoutMs: 1_000,
    agentPauseMs: 20,
    timeoutGraceMs: 20,
  });
  return { scheduler, topics, close: () => Promise.all([bus.close(), discovery.close()]) };
}

describe('Scheduler start', () => {
  it('joins its three consumer groups at the same time, not one after another', async () => {
    // Each join is held until all three have been asked for: one after another would never finish.
    let asked = 0;
    const allAsked = deferred();
    const bus = new ScriptedBus(async () => {
      asked += 1;
      if (asked === 3) allAsked.resolve();
      await withTimeout(allAsked.promise, 2_000, 'the other joins');
    });
    const { scheduler, close } = await schedulerOn(bus);
    await scheduler.start();
    expect(asked).toBe(3);
    await scheduler.stop();
    await close();
  });

  it('fails if one join fails, closing the ones that succeeded', async () => {
    let submittedTopic = '';
    const bus = new ScriptedBus(async (options) => {
      if (options.topic === submittedTopic) throw new AppError('SERVICE_UNAVAILABLE', 'group join failed');
    });
    const { scheduler, topics, close } = await schedulerOn(bus);
    submittedTopic = topics.tasksSubmitted;
    await expect(scheduler.start()).rejects.toThrow('group join failed');
    expect([...bus.closed].sort()).toEqual([topics.taskControl, topics.taskEvents].sort());
    await scheduler.stop();
    await close();
  });

  it('runs beforeConsuming (recovery) before it joins any group, and joins only once it is done', async () => {
    const joined: string[] = [];
    const bus = new ScriptedBus(async (options) => {
      joined.push(options.topic);
    });
    const { scheduler, close } = await schedulerOn(bus);
    const recovering = deferred();
    const recovery = deferred();
    const starting = scheduler.start({
      beforeConsuming: async () => {
        recovering.resolve();
        await recovery.promise;
      },
    });
    await withTimeout(recovering.promise, 2_000, 'beforeConsuming to run');
    expect(joined).toEqual([]);
    recovery.resolve();
    await starting;
    expect(joined).toHaveLength(3);
    await scheduler.stop();
    await close();
  });
});
