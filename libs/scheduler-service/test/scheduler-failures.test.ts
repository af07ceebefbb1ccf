import { AppError, type SerializedError } from '@contextforge/contracts';
import { DiscoveryWatchRecorder, waitFor } from '@contextforge/testing';
import { SchedulerHarness } from './support/scheduler-harness';

const handlerFailed: SerializedError = { code: 'HANDLER_FAILED', message: 'boom', retryable: true };

/**
 * The timeoutMs of the tasks that time out. An attempt its agent's `started` has not reached the
 * store by the deadline fails as DISPATCH_EXPIRED instead (and is not counted): the deadline leaves
 * that report, and the succeeding attempt's, time to land under CPU load.
 */
const TIMEOUT_MS = 500;

describe('Scheduler failure handling', () => {
  let harness: SchedulerHarness;

  afterEach(async () => {
    await harness.stop();
  });

  describe('with a long TTL', () => {
    beforeEach(async () => {
      harness = await SchedulerHarness.create();
    });

    it('re-queues a retryable failure with a reason and dispatches attempt + 1', async () => {
      const agent = await harness.addAgent({
        id: 'flaky',
        reply: (assignment) => (assignment.attempt === 1 ? { fail: handlerFailed } : 'succeed'),
      });
      const task = await harness.submit({ maxAttempts: 3 });

      await harness.event(task.id, 'succeeded');

      const sequence = harness.eventsOf(task.id).filter((event) => event.type !== 'started');
      expect(sequence.map(({ type, attempt }) => `${type}@${attempt}`)).toEqual([
        'queued@0',
        'dispatched@1',
        'failed@1',
        'queued@1',
        'dispatched@2',
        'succeeded@2',
      ]);
      expect(harness.eventsOf(task.id, 'queued')[1]?.reason).toMatch(
        /^retry 2 of 3 in \d+ ms after HANDLER_FAILED$/,
      );
      expect(agent.accepted.map(({ attempt }) => attempt)).toEqual([1, 2]);
    });

    it('dead-letters a task after maxAttempts failed attempts', async () => {
      const agent = await harness.addAgent({ id: 'broken', reply: { fail: handlerFailed } });
      const task = await harness.submit({ maxAttempts: 2 });

      const dead = await harness.event(task.id, 'dead_lettered');

      expect(dead.attempt).toBe(2);
      expect(dead.error).toMatchObject({
        code: 'HANDLER_FAILED',
        retryable: true,
        details: { reason: 'gave up after 2 of 2 attempts', attempts: 2 },
      });
      expect(agent.accepted.map(({ attempt }) => attempt)).toEqual([1, 2]);
      expect(harness.eventsOf(task.id, 'dispatched')).toHaveLength(2);
    });

    it('dead-letters a non-retryable failure at once', async () => {
      const fatal: SerializedError = {
        code: 'NON_RETRYABLE_FAILURE',
        message: 'cannot parse',
        retryable: false,
      };
      const agent = await harness.addAgent({ id: 'strict', reply: { fail: fatal } });
      const task = await harness.submit({ maxAttempts: 5 });

      const dead = await harness.event(task.id, 'dead_lettered');

      expect(dead).toMatchObject({
        attempt: 1,
        error: { code: 'NON_RETRYABLE_FAILURE', details: { reason: 'not retryable' } },
      });
      expect(agent.accepted).toHaveLength(1);
      // Only its creation: no retry was queued.
      expect(harness.eventsOf(task.id, 'queued').map((event) => event.attempt)).toEqual([0]);
    });

    it('does not count AGENT_DRAINING hand-backs as failed attempts', async () => {
      let shuttingDown = false;
      const draining = await harness.addAgent({
        id: 'draining',
        admit: () => {
          if (shuttingDown) throw new AppError('AGENT_DRAINING', 'agent draining is draining');
        },
      });
      const task = await harness.submit({ maxAttempts: 1 });
      await draining.until(() => draining.running.size === 1, 'the task');

      // What the agent runtime does on stop: report `warning`, then hand back what it still runs.
      shuttingDown = true;
      await harness.discovery.heartbeat('draining', 'warning', 'draining');
      const steady = await harness.addAgent({ id: 'steady', reply: 'succeed' });
      await draining.fail(
        task.id,
        new AppError('AGENT_DRAINING', 'agent draining is shutting down').toJSON(),
      );

      await expect(harness.event(task.id, 'succeeded')).resolves.toMatchObject({
        agentId: 'steady',
        attempt: 2,
      });
      expect(harness.eventsOf(task.id, 'dead_lettered')).toEqual([]);
      expect(steady.acceptedTaskIds()).toEqual([task.id]);
    });

    it('hands back the attempts of a draining agent that leaves without a count against the task', async () => {
      const watch = new DiscoveryWatchRecorder(harness.discovery);
      try {
        const leaving = await harness.addAgent({ id: 'leaving' });
        const task = await harness.submit({ maxAttempts: 1 });
        await leaving.until(() => leaving.running.size === 1, 'the task');
        await harness.discovery.heartbeat('leaving', 'warning', 'draining');
        // The scheduler's watcher is called in the same delivery, before this one.
        await watch.until(
          (agents) => agents.some((agent) => agent.health === 'warning'),
          'the agent draining',
        );
        const steady = await harness.addAgent({ id: 'steady', reply: 'succeed' });

        // Its hand-back events are still on their way (or lost) when discovery reports it gone.
        harness.stopHeartbeats(leaving);
        await harness.discovery.deregister('leaving');

        await expect(harness.event(task.id, 'succeeded')).resolves.toMatchObject({
          agentId: 'steady',
          attempt: 2,
        });
        expect(harness.eventsOf(task.id, 'failed')).toEqual([
          expect.objectContaining({
            agentId: 'leaving',
            error: expect.objectContaining({ code: 'AGENT_DRAINING' }),
          }),
        ]);
        expect(harness.eventsOf(task.id, 'dead_lettered')).toEqual([]);
        expect(steady.acceptedTaskIds()).toEqual([task.id]);
      } finally {
        watch.close();
      }
    });

    it('fails an attempt with TASK_TIMEOUT after timeoutMs + grace and cancels it at the agent', async () => {
      const slow = await harness.addAgent({ id: 'slow' });
      const task = await harness.submit({ timeoutMs: TIMEOUT_MS, maxAttempts: 1 });

      const failed = await harness.event(task.id, 'failed');

      expect(failed).toMatchObject({
        attempt: 1,
        agentId: 'slow',
        error: { code: 'TASK_TIMEOUT', retryable: true },
      });
      const dispatchedAt = Date.parse((await harness.event(task.id, 'dispatched')).at);
      expect(Date.parse(failed.at) - dispatchedAt).toBeGreaterThanOrEqual(TIMEOUT_MS + 20 - 5);
      await expect(harness.event(task.id, 'dead_lettered')).resolves.toMatchObject({
        error: { code: 'TASK_TIMEOUT' },
      });
      // Told only now: its `cancelled` answer cannot end the task before the scheduler decided.
      await slow.until(() => slow.cancels.length === 1, 'the cancel request');
      expect(slow.cancels).toEqual([
        { taskId: task.id, attempt: 1, reason: `no outcome within ${TIMEOUT_MS} ms`, wasRunning: true },
      ]);
    });

    it('retries a timed-out attempt and cancels it at its agent once superseded', async () => {
      // Both known before the task (not registered meanwhile, which may take longer than the first
      // attempt's timeout): round-robin, in id order, sends the first attempt to `hung`, then goes
      // on after it, its last pick, so the retry goes to `steady`.
      const hung = await harness.addAgent({ id: 'hung', concurrency: 1 });
      const steady = await harness.addAgent({ id: 'steady', reply: 'succeed' });
      await waitFor(() => harness.scheduler.knownAgents().length === 2, { label: 'both agents known' });
      const task = await harness.submit({ timeoutMs: TIMEOUT_MS, maxAttempts: 2 });
      await hung.until(() => hung.running.size === 1, 'the first attempt');

      await expect(harness.event(task.id, 'succeeded')).resolves.toMatchObject({
        agentId: 'steady',
        attempt: 2,
      });
      await hung.until(() => hung.cancels.length === 1, 'the cancel request');
      expect(hung.cancels[0]).toMatchObject({ attempt: 1, wasRunning: true });
      expect(steady.acceptedTaskIds()).toEqual([task.id]);
      expect(harness.eventsOf(task.id, 'failed')).toEqual([
        expect.objectContaining({ attempt: 1, error: expect.objectContaining({ code: 'TASK_TIMEOUT' }) }),
      ]);
    });
  });

  describe('with a short TTL', () => {
    const ttlMs = 200;

    beforeEach(async () => {
      harness = await SchedulerHarness.create({ ttlMs, deferStart: true });
    });

    it('fails the attempts of an agent whose TTL expires with AGENT_LOST and re-dispatches them elsewhere', async () => {
      await harness.scheduler.start();
      const doomed = await harness.addAgent({ id: 'doomed', concurrency: 2 });
      const tasks = [await harness.submit(), await harness.submit()];
      await doomed.until(() => doomed.running.size === 2, 'both tasks');
      const survivor = await harness.addAgent({ id: 'survivor', reply: 'succeed' });

      harness.stopHeartbeats(doomed);

      for (const task of tasks) {
        await expect(harness.event(task.id, 'succeeded')).resolves.toMatchObject({
          agentId: 'survivor',
          attempt: 2,
        });
        const [lost, ...more] = harness.eventsOf(task.id, 'failed');
        expect(more).toEqual([]);
        expect(lost).toMatchObject({
          attempt: 1,
          agentId: 'doomed',
          error: { code: 'AGENT_LOST', retryable: true },
        });
      }
      expect(survivor.acceptedTaskIds().sort()).toEqual(tasks.map((task) => task.id).sort());
    });

    it('reports an attempt lost once even when discovery reports its agent critical again', async () => {
      // Registered before the scheduler's own watcher, so it runs first in each delivery: on seeing
      // the agent critical it causes another delivery before the AGENT_LOST event comes back.
      const stranger = harness.discovery.watch((agents) => {
        const critical = agents.some(
          (agent) => agent.registration.id === 'doomed' && agent.health === 'critical',
        );
        if (critical && !agents.some((agent) => agent.registration.id === 'bystander')) {
          harness.discovery
            .register({ ...bareRegistration('bystander'), taskTypes: ['other.type'] })
            .catch(() => undefined);
        }
      });
      try {
        await harness.scheduler.start();
        const doomed = await harness.addAgent({ id: 'doomed' });
        const task = await harness.submit();
        await doomed.until(() => doomed.running.size === 1, 'the task');
        await harness.addAgent({ id: 'survivor', reply: 'succeed' });

        harness.stopHeartbeats(doomed);

        await harness.event(task.id, 'succeeded');
        const lost = harness.eventsOf(task.id, 'failed').filter((event) => event.error.code === 'AGENT_LOST');
        expect(lost).toHaveLength(1);
      } finally {
        stranger.close();
      }
    });
  });
});

function bareRegistration(id: string) {
  return {
    id,
    name: id,
    type: 'test-agent',
    taskTypes: ['analyze.file'],
    capabilities: [],
    resources: {},
    endpoint: `memory://${id}`,
    weight: 1,
    concurrency: 1,
    version: '0.0.0',
  };
}
