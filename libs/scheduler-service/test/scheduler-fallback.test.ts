import { AgentRegistrationSchema } from '@contextforge/contracts';
import { waitFor } from '@contextforge/testing';
import { SchedulerHarness } from './support/scheduler-harness';
import { TestAgent } from './support/test-agent';

describe('Scheduler local fallback', () => {
  let harness: SchedulerHarness;

  afterEach(async () => {
    await harness?.stop();
  });

  it('runs a task on the fallback agent only while no healthy agent can run it', async () => {
    const fallbackRegistration = AgentRegistrationSchema.parse({
      id: 'scheduler-local',
      name: 'local fallback',
      type: 'fallback',
      taskTypes: ['analyze.file'],
      capabilities: ['typescript'],
      endpoint: 'memory://scheduler-local',
      concurrency: 2,
    });
    harness = await SchedulerHarness.create({ fallback: fallbackRegistration });
    const local = new TestAgent(
      { ...fallbackRegistration, id: 'scheduler-local', reply: 'succeed' },
      harness.bus,
      harness.topics,
    );
    harness.network.listen(fallbackRegistration.endpoint, local);

    const first = await harness.submit();
    await harness.event(first.id, 'succeeded');
    expect(local.acceptedTaskIds()).toEqual([first.id]);

    const remote = await harness.addAgent({ id: 'agent-remote', reply: 'succeed' });
    await waitFor(() => harness.scheduler.knownAgents().includes('agent-remote'), {
      label: 'the scheduler to see the agent',
    });
    const second = await harness.submit();
    await harness.event(second.id, 'succeeded');
    expect(remote.acceptedTaskIds()).toEqual([second.id]);
    expect(local.acceptedTaskIds()).toEqual([first.id]);
  });
});
