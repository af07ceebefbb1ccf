import {
  TaskChangedMessageSchema,
  TaskSubmissionSchema,
  topicNames,
  type MessageBus,
  type OutgoingMessage,
  type Subscription,
  type TaskChangedMessage,
} from '@contextforge/contracts';
import { MemoryMessageBus } from '@contextforge/messaging';
import { createLogger, createSilentLogger } from '@contextforge/observability';
import { MemoryTaskRepository, OutboxRelay } from '@contextforge/persistence';
import { MessageRecorder, buildTaskEvent, lifecycleEvents, uniqueName, waitFor } from '@contextforge/testing';
import { MAX_TASK_EVENTS_PAGE, ResultStore } from '../src';

const WAIT_MS = 5_000;

/** A bus whose publishes to one topic fail while `failing` is set (a broker outage for that topic). */
class FlakyBus implements MessageBus {
  failing = false;
  constructor(
    private readonly inner: MessageBus,
    private readonly topic: string,
  ) {}
  connect = () => this.inner.connect();
  close = () => this.inner.close();
  waitForGroup: MessageBus['waitForGroup'] = (group, topic, options) =>
    this.inner.waitForGroup(group, topic, options);
  subscribe: MessageBus['subscribe'] = (options) => this.inner.subscribe(options);
  async publish(topic: string, messages: readonly OutgoingMessage[]): Promise<void> {
    if (this.failing && topic === this.topic) throw new Error('broker unavailable');
    await this.inner.publish(topic, messages);
  }
}

describe('ResultStore task changes, history and metrics', () => {
  const topics = topicNames(uniqueName('rs'));
  let bus: FlakyBus;
  let repository: MemoryTaskRepository;
  let store: ResultStore;
  let relay: OutboxRelay;
  let changes: MessageRecorder;
  let logged: Array<Record<string, unknown>>;
  const subscriptions: Subscription[] = [];
  const now = new Date('2030-01-01T00:01:00.000Z');

  beforeEach(async () => {
    bus = new FlakyBus(
      // One partition: everything is delivered in publish order, so a later announcement proves
      // that the batches published before it were handled.
      new MemoryMessageBus({ partitions: 1, retry: { maxRetries: 1, initialDelayMs: 1, maxDelayMs: 5 } }),
      topics.taskChanges,
    );
    await bus.connect();
    repository = new MemoryTaskRepository();
    await repository.connect();
    logged = [];
    const logger = createLogger({
      service: 'test',
      level: 'warn',
      destination: { write: (line: string) => void logged.push(JSON.parse(line) as Record<string, unknown>) },
    });
    relay = new OutboxRelay({
      queue: repository,
      bus,
      topic: topics.taskChanges,
      logger,
      pollIntervalMs: 10,
    });
    relay.start();
    store = new ResultStore({
      repository,
      bus,
      topics,
      logger,
      metricsWindowSeconds: 30,
      now: () => now,
      onCommitted: () => relay.kick(),
    });
    await store.start();
    changes = new MessageRecorder();
    subscriptions.push(
      await bus.subscribe({ topic: topics.taskChanges, group: 'test-observer', handler: changes.handler }),
    );
  });

  afterEach(async () => {
    await Promise.all(subscriptions.splice(0).map((subscription) => subscription.close()));
    await store.stop();
    await relay.stop();
    await bus.close();
    await repository.close();
  });

  const submit = async () =>
    (await store.submit(TaskSubmissionSchema.parse({ type: 'analyze.file' }), 'c1')).task;
  const announced = (taskId: string): TaskChangedMessage[] =>
    changes
      .values()
      .map((value) => TaskChangedMessageSchema.parse(value))
      .filter((change) => change.task.id === taskId);
  const untilAnnounced = (taskId: string, count: number) =>
    changes.until(
      (received) => received.filter((message) => message.key === taskId).length >= count,
      WAIT_MS,
      `${count} changes of ${taskId}`,
    );

  it('announces the creation and every applied bus event with its number and the task after it, once', async () => {
    const task = await submit();
    const events = lifecycleEvents(task.id, 1, 'agent-a');

    await bus.publish(
      topics.taskEvents,
      events.map((event) => ({ key: task.id, value: event })),
    );
    await untilAnnounced(task.id, 4);
    // Redelivered events are duplicates: nothing more is announced, whatever follows them.
    const marker = await submit();
    await bus.publish(
      topics.taskEvents,
      events.map((event) => ({ key: task.id, value: event })),
    );
    await bus.publish(topics.taskEvents, [
      { key: task.id, value: buildTaskEvent('started', task.id, 1) },
      { key: marker.id, value: buildTaskEvent('cancelled', marker.id, 0) },
    ]);
    await untilAnnounced(marker.id, 2);

    const seen = announced(task.id);
    expect(
      seen.map((change) => [change.seq, change.event.type, change.task.status, change.task.eventSeq]),
    ).toEqual([
      [1, 'queued', 'queued', 1],
      [2, 'dispatched', 'dispatched', 2],
      [3, 'started', 'running', 3],
      [4, 'succeeded', 'succeeded', 4],
    ]);
    expect(seen.slice(1).map((change) => change.event)).toEqual(events);
    expect(changes.received.filter((message) => message.key === task.id)).toHaveLength(4);
    expect(seen[0]?.task).toEqual(task);
    expect(seen[3]?.task).toEqual(await store.getTask(task.id));
  });

  it('announces its own cancel and re-drive events', async () => {
    const cancelled = await submit();
    const buried = await submit();
    await bus.publish(topics.taskEvents, [
      { key: buried.id, value: buildTaskEvent('dead_lettered', buried.id, 0) },
    ]);
    await untilAnnounced(buried.id, 2);

    await store.cancel(cancelled.id, 'client asked');
    await store.redrive([buried.id]);
    await untilAnnounced(cancelled.id, 2);
    await untilAnnounced(buried.id, 3);

    expect(
      announced(cancelled.id).map((change) => [change.seq, change.event.type, change.task.status]),
    ).toEqual([
      [1, 'queued', 'queued'],
      [2, 'cancelled', 'cancelled'],
    ]);
    expect(
      announced(buried.id).map((change) => [change.seq, change.event.type, change.task.attempt]),
    ).toEqual([
      [1, 'queued', 0],
      [2, 'dead_lettered', 0],
      [3, 'queued', 1],
    ]);
  });

  it('cancels the attempt a claim started between its read of the task and its write', async () => {
    const task = await submit();
    const getTask = repository.getTask.bind(repository);
    let raced = false;
    // A scheduler replica claims the task just after the cancellation read it (attempt 0).
    repository.getTask = async (taskId) => {
      const seen = await getTask(taskId);
      if (!raced && taskId === task.id) {
        raced = true;
        const agent = { id: 'a1', taskTypes: ['analyze.file'], capabilities: [], concurrency: 1, weight: 1 };
        const { claimed } = await repository.claim({
          owner: 'replica-a',
          agents: [agent],
          limit: 1,
          dispatchLeaseMs: 60_000,
          timeoutGraceMs: 0,
          choose: () => agent.id,
        });
        expect(claimed).toHaveLength(1);
      }
      return seen;
    };
    const cancelled = await store.cancel(task.id, 'client asked');
    expect(raced).toBe(true);
    expect(cancelled).toMatchObject({ status: 'cancelled', attempt: 1 });
    expect(await getTask(task.id)).toMatchObject({ status: 'cancelled', attempt: 1 });
  });

  it('keeps what it stored while the broker fails, logs it, and announces it in order once the broker is back', async () => {
    bus.failing = true;
    const task = await submit();
    const cancelled = await store.cancel(task.id, 'client asked');
    await waitFor(
      () => logged.some((line) => String(line['msg']).startsWith('relaying task changes failed')),
      {
        timeoutMs: WAIT_MS,
        label: 'the relay to report the failed publish',
      },
    );
    expect(announced(task.id)).toEqual([]);
    expect(cancelled).toMatchObject({ status: 'cancelled', eventSeq: 2 });
    expect(await store.getTask(task.id)).toEqual(cancelled);
    bus.failing = false;
    const later = await submit();
    await untilAnnounced(later.id, 1);

    // Nothing was lost between the commit and the broker: the outbox held it.
    expect(announced(task.id).map((change) => [change.seq, change.event.type])).toEqual([
      [1, 'queued'],
      [2, 'cancelled'],
    ]);
    const warning = logged.find((line) => String(line['msg']).startsWith('relaying task changes failed'));
    expect(warning).toMatchObject({ err: 'broker unavailable' });
  });

  it('pages the history: after a number, at most the limit, at most 1000, empty for an unknown task', async () => {
    const task = await submit();
    await repository.applyEvents([
      buildTaskEvent('dispatched', task.id, 1),
      buildTaskEvent('started', task.id, 1),
      ...Array.from({ length: MAX_TASK_EVENTS_PAGE + 10 }, () => buildTaskEvent('progress', task.id, 1)),
    ]);

    const first = await store.taskEvents(task.id, 0);
    const capped = await store.taskEvents(task.id, 0, 5_000);
    const page = await store.taskEvents(task.id, 1_000, 3);

    expect(first.map((entry) => entry.seq)).toEqual(Array.from({ length: 1000 }, (_, index) => index + 1));
    expect(capped).toHaveLength(1000);
    expect(page.map((entry) => entry.seq)).toEqual([1001, 1002, 1003]);
    expect(await store.taskEvents(task.id, 1013)).toEqual([]);
    expect(await store.taskEvents('no-such-task', 0)).toEqual([]);
    for (const [after, limit] of [
      [-1, 10],
      [1.5, 10],
      [0, 0],
      [0, Number.NaN],
    ] as const) {
      await expect(store.taskEvents(task.id, after, limit)).rejects.toMatchObject({
        code: 'VALIDATION_FAILED',
      });
    }
  });

  it('reports metrics over its trailing window: counts, throughput and percentiles', async () => {
    const done = await submit();
    const running = await submit();
    await submit();
    await repository.applyEvents([
      ...lifecycleEvents(done.id, 1, 'agent-a'),
      ...lifecycleEvents(running.id, 1, 'agent-b').slice(0, 2),
    ]);
    const finishedAt = Date.parse((await store.getTask(done.id))?.finishedAt ?? '');

    const inWindow = new ResultStore({
      repository,
      bus,
      topics,
      logger: createSilentLogger(),
      metricsWindowSeconds: 30,
      now: () => new Date(finishedAt + 29_000),
    });
    const metrics = await inWindow.taskMetrics();
    const later = await store.taskMetrics();

    expect(metrics).toEqual({
      at: new Date(finishedAt + 29_000).toISOString(),
      byStatus: {
        queued: 1,
        dispatched: 0,
        running: 1,
        failed: 0,
        succeeded: 1,
        cancelled: 0,
        dead_lettered: 0,
      },
      inFlightByAgent: { 'agent-b': 1 },
      queuedByPriority: [0, 0, 0, 0, 0, 1, 0, 0, 0, 0],
      window: {
        seconds: 30,
        finished: { succeeded: 1, cancelled: 0, dead_lettered: 0 },
        throughputPerSecond: 1 / 30,
      },
      latencyMs: expect.objectContaining({ count: 1 }),
      runTimeMs: { count: 1, p50: 7, p95: 7, p99: 7, max: 7 },
    });
    // `now` is 2030, long after the task finished: nothing in the window.
    expect(later.window).toEqual({
      seconds: 30,
      finished: { succeeded: 0, cancelled: 0, dead_lettered: 0 },
      throughputPerSecond: 0,
    });
    expect(later.latencyMs).toEqual({ count: 0, p50: null, p95: null, p99: null, max: null });
  });
});
