import { buildTask, waitFor } from '@contextforge/testing';
import { SchedulerHarness } from './support/scheduler-harness';

const TASKS = 1_000;

describe('Scheduler with the weighted strategy', () => {
  let harness: SchedulerHarness;

  beforeEach(async () => {
    harness = await SchedulerHarness.create({ strategy: 'weighted' });
  });

  afterEach(async () => {
    await harness.stop();
  });

  it(`splits ${TASKS} tasks 60% / 40% between agents of weight 3 and 2 (within 5 points)`, async () => {
    const heavy = await harness.addAgent({ id: 'heavy', weight: 3, concurrency: 5_000, reply: 'succeed' });
    const light = await harness.addAgent({ id: 'light', weight: 2, concurrency: 5_000, reply: 'succeed' });
    // Both must be known before work arrives, or the first one seen would take a burst alone.
    await waitFor(() => harness.scheduler.knownAgents().length === 2, {
      label: 'both agents known',
    });

    const tasks = Array.from({ length: TASKS }, () => buildTask());
    await harness.store.createTasks(tasks.map((task) => ({ task })));
    harness.relay.kick();
    const succeeded = () => harness.allEvents().filter((event) => event.type === 'succeeded').length;
    await harness.events.until(() => succeeded() === TASKS, 45_000, `${TASKS} tasks succeeded`);

    const heavyShare = heavy.accepted.length / TASKS;
    expect(Math.abs(heavyShare - 0.6)).toBeLessThanOrEqual(0.05);
    expect(heavy.accepted.length + light.accepted.length).toBe(TASKS);
    expect(new Set([...heavy.acceptedTaskIds(), ...light.acceptedTaskIds()]).size).toBe(TASKS);
  });
});
