import { SchedulerHarness } from './support/scheduler-harness';

describe('Scheduler: an agent restarted under the same id', () => {
  let harness: SchedulerHarness;

  afterEach(async () => {
    await harness?.stop();
  });

  it('fails the attempts of the previous process as AGENT_LOST and re-dispatches them', async () => {
    harness = await SchedulerHarness.create();
    const first = await harness.addAgent({ id: 'agent-a', instanceId: 'process-1', reply: 'hold' });
    const task = await harness.submit();
    await harness.event(task.id, 'dispatched', (event) => event.agentId === 'agent-a');
    // The claim commits (and announces) before the dispatch call reaches the agent.
    await first.until(() => first.accepted.length > 0, 'the dispatch call');
    expect(first.acceptedTaskIds()).toEqual([task.id]);

    // The process died and a new one registered within the TTL, so discovery never saw it critical.
    await harness.discovery.register({ ...first.registration, instanceId: 'process-2' });

    const lost = await harness.event(task.id, 'failed', (event) => event.error.code === 'AGENT_LOST');
    expect(lost.attempt).toBe(1);
    expect(lost.error.message).toContain('restarted');
    const again = await harness.event(task.id, 'dispatched', (event) => event.attempt > 1);
    expect(again.agentId).toBe('agent-a');
  });

  it('keeps the attempts when the same process registers again', async () => {
    harness = await SchedulerHarness.create();
    const agent = await harness.addAgent({ id: 'agent-a', instanceId: 'process-1', reply: 'hold' });
    const task = await harness.submit();
    await harness.event(task.id, 'dispatched');
    await harness.discovery.register(agent.registration);
    const fence = await harness.submit();
    await harness.event(fence.id, 'dispatched');
    expect(harness.eventsOf(task.id, 'failed')).toEqual([]);
  });
});
