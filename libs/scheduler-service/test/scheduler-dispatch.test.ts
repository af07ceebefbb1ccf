import { AppError } from '@contextforge/contracts';
import { SchedulerHarness } from './support/scheduler-harness';

describe('Scheduler dispatch', () => {
  let harness: SchedulerHarness;

  beforeEach(async () => {
    harness = await SchedulerHarness.create();
  });

  afterEach(async () => {
    await harness.stop();
  });

  it('dispatches a submitted task to a capable healthy agent and publishes dispatched', async () => {
    const agent = await harness.addAgent({ id: 'agent-a' });
    const task = await harness.submit();

    const dispatched = await harness.event(task.id, 'dispatched');

    expect(dispatched).toMatchObject({ agentId: 'agent-a', attempt: 1 });
    // The claim commits (and announces) before the dispatch call reaches the agent.
    await agent.until(() => agent.accepted.length > 0, 'the dispatch call');
    expect(agent.accepted).toEqual([expect.objectContaining({ task, attempt: 1 })]);
  });

  it('serves higher priorities first and FIFO within a priority', async () => {
    const priorities = [5, 9, 5, 0, 9, 5, 7];
    const submitted: string[] = [];
    for (const priority of priorities) {
      // One at a time, so arrival order at the scheduler is submission order.
      const task = await harness.submit({ priority });
      submitted.push(task.id);
    }
    const agent = await harness.addAgent({ id: 'agent-a', concurrency: 1, reply: 'succeed' });

    await agent.until(() => agent.accepted.length === priorities.length, 'every task');

    const byPriority = submitted
      .map((id, index) => ({ id, index, priority: priorities[index] as number }))
      .sort((a, b) => b.priority - a.priority || a.index - b.index)
      .map(({ id }) => id);
    expect(agent.acceptedTaskIds()).toEqual(byPriority);
    expect(agent.maxRunning).toBe(1);
  });

  it('sends a task only to agents that run its type and have every required capability', async () => {
    const wrongCapability = await harness.addAgent({
      id: 'python-only',
      capabilities: ['python'],
      reply: 'succeed',
    });
    const wrongType = await harness.addAgent({
      id: 'reviewer',
      taskTypes: ['review.diff'],
      capabilities: ['typescript', 'python'],
      reply: 'succeed',
    });
    const capable = await harness.addAgent({
      id: 'polyglot',
      capabilities: ['python', 'typescript'],
      reply: 'succeed',
    });

    const tasks = [];
    for (let index = 0; index < 6; index += 1) {
      tasks.push(
        await harness.submit({ requiredCapabilities: index % 2 ? ['typescript', 'python'] : ['typescript'] }),
      );
    }
    await Promise.all(tasks.map((task) => harness.event(task.id, 'succeeded')));

    expect(capable.acceptedTaskIds().sort()).toEqual(tasks.map((task) => task.id).sort());
    expect(wrongCapability.accepted).toEqual([]);
    expect(wrongType.accepted).toEqual([]);
  });

  it('keeps a task no agent can run queued with a reason, and dispatches it once a capable agent registers', async () => {
    const task = await harness.submit({ type: 'index.repo', requiredCapabilities: ['rust'] });
    const waiting = await harness.waiting(task.id);
    expect(waiting.reason).toBe('waiting: no healthy agent runs index.repo with capabilities rust');
    expect(waiting.attempt).toBe(0);

    // An agent of another kind changes nothing for it.
    await harness.addAgent({ id: 'ts-agent' });
    const other = await harness.submit();
    await harness.event(other.id, 'dispatched');
    expect(harness.eventsOf(task.id, 'dispatched')).toEqual([]);

    const rust = await harness.addAgent({
      id: 'rust-agent',
      taskTypes: ['index.repo'],
      capabilities: ['rust'],
    });
    await expect(harness.event(task.id, 'dispatched')).resolves.toMatchObject({
      agentId: 'rust-agent',
      attempt: 1,
    });
    await rust.until(() => rust.acceptedTaskIds().length > 0, 'the dispatch call');
    expect(rust.acceptedTaskIds()).toEqual([task.id]);
  });

  it("never has more than an agent's concurrency in flight on it", async () => {
    const two = await harness.addAgent({ id: 'two', concurrency: 2 });
    const one = await harness.addAgent({ id: 'one', concurrency: 1 });
    const tasks = [];
    for (let index = 0; index < 7; index += 1) tasks.push(await harness.submit());

    await two.until(() => two.running.size === 2, 'two running');
    await one.until(() => one.running.size === 1, 'one running');
    expect(two.maxRunning).toBe(2);
    expect(one.maxRunning).toBe(1);
    expect(await harness.inFlight()).toEqual({ one: 1, two: 2 });

    // From now on both finish every attempt; the remaining tasks flow through the freed slots.
    two.reply = 'succeed';
    one.reply = 'succeed';
    for (const agent of [two, one])
      for (const taskId of [...agent.running.keys()]) await agent.succeed(taskId);
    await Promise.all(tasks.map((task) => harness.event(task.id, 'succeeded')));

    expect(two.maxRunning).toBe(2);
    expect(one.maxRunning).toBe(1);
    expect(two.accepted.length + one.accepted.length).toBe(tasks.length);
  });

  it('backs off an agent that answers AGENT_AT_CAPACITY and lets the bounced task keep its place', async () => {
    const pauseMs = 20;
    // Declares two slots but really has one.
    const agent = await harness.addAgent({
      id: 'overbooked',
      concurrency: 2,
      admit: (_assignment, self) => {
        if (self.running.size >= 1) throw new AppError('AGENT_AT_CAPACITY', 'busy');
      },
    });
    const first = await harness.submit();
    await agent.until(() => agent.running.size === 1, 'the first task');
    const second = await harness.submit();
    await agent.until(() => agent.refused.length >= 1, 'the first refusal');
    // Submitted only now: tasks on different partitions may reach the scheduler in either order.
    const third = await harness.submit();

    await agent.until(() => agent.refused.length >= 3, 'three refusals');
    const refusedIds = agent.refused.map(({ assignment }) => assignment.task.id);
    expect(new Set(refusedIds)).toEqual(new Set([second.id]));
    const [a, b, c] = agent.refused.map(({ at }) => at) as [number, number, number];
    // Each refusal pauses the agent; a scheduler that did not back off would retry on the next tick.
    expect(b - a).toBeGreaterThanOrEqual(pauseMs - 1);
    expect(c - b).toBeGreaterThanOrEqual(pauseMs - 1);

    agent.reply = 'succeed';
    await agent.succeed(first.id);
    await Promise.all([second, third].map((task) => harness.event(task.id, 'succeeded')));

    expect(agent.acceptedTaskIds()).toEqual([first.id, second.id, third.id]);
    expect(harness.eventsOf(second.id, 'failed')).toEqual([]);
    expect(harness.eventsOf(second.id, 'dead_lettered')).toEqual([]);
    // Each refused attempt was announced dispatched, then queued again with the reason. Counted over
    // the second's refusals: once the first is done, the second and third are dispatched together,
    // and the agent (one real slot) may refuse the third too if its call arrives after the second's.
    const refusedSecond = agent.refused.filter(({ assignment }) => assignment.task.id === second.id);
    expect(refusedSecond.length).toBeGreaterThanOrEqual(3);
    const bounced = harness
      .eventsOf(second.id, 'queued')
      .filter((event) => event.reason?.startsWith('dispatch to overbooked bounced (AGENT_AT_CAPACITY)'));
    expect(bounced.length).toBe(refusedSecond.length);
    expect(harness.eventsOf(second.id, 'dispatched').length).toBe(refusedSecond.length + 1);
  });
});
