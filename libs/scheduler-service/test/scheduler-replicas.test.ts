import type { AgentTransport, Assignment, ClaimRequest, TaskQueue } from '@contextforge/contracts';
import { createSilentLogger } from '@contextforge/observability';
import { deferred, waitFor } from '@contextforge/testing';
import { Scheduler } from '../src/scheduler';
import { SchedulerHarness, TEST_DISPATCH_LEASE_MS } from './support/scheduler-harness';

/** A second replica on the harness's store, bus and discovery, with a transport of its own. */
function replica(
  harness: SchedulerHarness,
  name: string,
  {
    transport = harness.network,
    dispatchLeaseMs = TEST_DISPATCH_LEASE_MS,
    queue = harness.store as TaskQueue,
  }: { transport?: AgentTransport; dispatchLeaseMs?: number; queue?: TaskQueue } = {},
) {
  return new Scheduler({
    queue,
    bus: harness.bus,
    discovery: harness.discovery,
    transport,
    topics: harness.topics,
    logger: createSilentLogger(),
    replicaId: name,
    onCommitted: () => harness.relay.kick(),
    strategy: 'round_robin',
    retry: { initialDelayMs: 5, maxDelayMs: 20 },
    dispatchTimeoutMs: 1_000,
    agentPauseMs: 20,
    timeoutGraceMs: 20,
    dispatchLeaseMs,
    sweepIntervalMs: 10,
  });
}

/** `queue`, whose claims get the long lease once `after()` holds. */
function longLeaseAfter(queue: TaskQueue, after: () => boolean): TaskQueue {
  return new Proxy(queue, {
    get(target, key) {
      if (key === 'claim') {
        return (request: ClaimRequest) =>
          target.claim(after() ? { ...request, dispatchLeaseMs: TEST_DISPATCH_LEASE_MS } : request);
      }
      const value: unknown = Reflect.get(target, key);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

describe('Scheduler replicas on one queue', () => {
  let harness: SchedulerHarness;
  const extra: Scheduler[] = [];

  beforeEach(async () => {
    harness = await SchedulerHarness.create();
  });

  afterEach(async () => {
    await Promise.all(extra.splice(0).map((scheduler) => scheduler.stop()));
    await harness.stop();
  });

  it('both dispatch, and no task runs twice nor any agent above its concurrency', async () => {
    const second = replica(harness, 'replica-2');
    extra.push(second);
    await second.start();
    const agents = await Promise.all(
      ['a', 'b', 'c'].map((id) => harness.addAgent({ id, concurrency: 4, reply: 'succeed' })),
    );
    const tasks = [];
    for (let index = 0; index < 300; index += 1) tasks.push(await harness.submit());
    await Promise.all(tasks.map((task) => harness.event(task.id, 'succeeded', () => true, 20_000)));

    const accepted = agents.flatMap((agent) => agent.acceptedTaskIds());
    expect(accepted).toHaveLength(300);
    expect(new Set(accepted).size).toBe(300);
    for (const agent of agents) expect(agent.maxRunning).toBeLessThanOrEqual(4);
    // A replica counts a dispatch once the agent's answer is back, which may come after the agent's
    // report of the task reached the store.
    const dispatched = () => harness.scheduler.dispatchCount() + second.dispatchCount();
    await waitFor(() => dispatched() >= 300, { label: 'every dispatch call answered' });
    expect(dispatched()).toBe(300);

    // Either serves alone: with the first one gone, the second dispatches everything.
    await harness.scheduler.stop();
    const before = second.dispatchCount();
    const more = [];
    for (let index = 0; index < 10; index += 1) more.push(await harness.submit());
    await Promise.all(more.map((task) => harness.event(task.id, 'succeeded')));
    await waitFor(() => second.dispatchCount() - before >= 10, { label: 'the 10 dispatch calls answered' });
    expect(second.dispatchCount() - before).toBe(10);
  });

  it("expires a stalled dispatch at its lease, dispatches the task again, and refuses the late one's reports", async () => {
    // One dispatch call of this replica hangs (a GC pause, a SIGSTOP, a partition) after its claim.
    await harness.scheduler.stop();
    const hung = deferred();
    const held: Assignment[] = [];
    const network = harness.network;
    const stalling: AgentTransport = {
      dispatch: async (endpoint, assignment) => {
        if (held.length > 0) return network.dispatch(endpoint, assignment);
        held.push(assignment);
        await hung.promise;
      },
      cancel: (endpoint, taskId, attempt, reason) => network.cancel(endpoint, taskId, attempt, reason),
      ping: (endpoint) => network.ping(endpoint),
    };
    // Its hung claim expires at this short lease; its later claims (it may claim the retry too) get
    // the long one, so that nothing but the stalled attempt expires.
    const stalled = replica(harness, 'stalled', {
      transport: stalling,
      dispatchLeaseMs: 200,
      queue: longLeaseAfter(harness.store, () => held.length > 0),
    });
    extra.push(stalled);
    try {
      await stalled.start();
      const agent = await harness.addAgent({ id: 'agent-a', reply: 'succeed' });
      const task = await harness.submit();
      await waitFor(() => held.length === 1, { label: 'the stalled claim' });
      const healthy = replica(harness, 'healthy');
      extra.push(healthy);
      await healthy.start();

      const expired = await harness.event(task.id, 'failed');
      expect(expired).toMatchObject({ attempt: 1, error: { code: 'DISPATCH_EXPIRED' } });
      await expect(harness.event(task.id, 'succeeded')).resolves.toMatchObject({ attempt: 2 });
      expect(agent.accepted.map((assignment) => assignment.attempt)).toEqual([2]);
      // A lost dispatch is not the task's fault: it does not count against maxAttempts.
      expect((await harness.store.getTask(task.id))?.failures).toBeUndefined();

      // The old claim arrives after all: the agent runs it, but the store refuses every report of
      // that attempt, so the task keeps its one result.
      const late = held[0] as Assignment;
      await network.dispatch(agent.registration.endpoint, late);
      await agent.until(() => agent.accepted.length === 2, 'the late dispatch');
      const marker = await harness.submit();
      await harness.event(marker.id, 'succeeded');
      expect(harness.eventsOf(task.id, 'succeeded').map((event) => event.attempt)).toEqual([2]);
      expect((await harness.store.getResult(task.id))?.attempt).toBe(2);
    } finally {
      hung.resolve();
    }
  });
});
