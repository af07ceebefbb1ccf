import {
  DEAD_LETTER_HEADERS,
  TaskSubmissionSchema,
  TaskChangedMessageSchema,
  deadLetterTopic,
  topicNames,
  type Subscription,
  type TaskSubmissionInput,
  type TaskView,
} from '@contextforge/contracts';
import { MemoryMessageBus } from '@contextforge/messaging';
import { createSilentLogger } from '@contextforge/observability';
import { MemoryTaskRepository, OutboxRelay } from '@contextforge/persistence';
import {
  MessageRecorder,
  buildTaskEvent,
  lifecycleEvents,
  uniqueName,
  withTimeout,
} from '@contextforge/testing';
import { ResultStore } from '../src/result-store';

const WAIT_MS = 5_000;

const submission = (input: TaskSubmissionInput = { type: 'analyze.file' }) =>
  TaskSubmissionSchema.parse(input);

describe('ResultStore', () => {
  const topics = topicNames(uniqueName('rs'));
  let bus: MemoryMessageBus;
  let repository: MemoryTaskRepository;
  let store: ResultStore;
  let changes: TaskView[][];
  const watchers = new Set<() => boolean>();
  let announced: MessageRecorder;
  let relay: OutboxRelay;
  const subscriptions: Subscription[] = [];

  const listen = async (topic: string, recorder = new MessageRecorder()) => {
    subscriptions.push(await bus.subscribe({ topic, group: 'test-observer', handler: recorder.handler }));
    return recorder;
  };

  beforeEach(async () => {
    bus = new MemoryMessageBus({ retry: { maxRetries: 1, initialDelayMs: 1, maxDelayMs: 5 } });
    await bus.connect();
    repository = new MemoryTaskRepository();
    await repository.connect();
    changes = [];
    watchers.clear();
    relay = new OutboxRelay({
      queue: repository,
      bus,
      topic: topics.taskChanges,
      logger: createSilentLogger(),
      pollIntervalMs: 10,
    });
    relay.start();
    store = new ResultStore({
      repository,
      bus,
      topics,
      logger: createSilentLogger(),
      onCommitted: () => relay.kick(),
      onTasksChanged: (tasks) => {
        changes.push([...tasks]);
        for (const check of watchers) if (check()) watchers.delete(check);
      },
    });
    await store.start();
    announced = await listen(topics.taskChanges);
  });

  afterEach(async () => {
    await store.stop();
    await relay.stop();
    await Promise.all(subscriptions.splice(0).map((subscription) => subscription.close()));
    await bus.close();
    await repository.close();
  });

  /** Resolves once a batch reported `taskId` in `status` to onTasksChanged. */
  const changedTo = (taskId: string, status: TaskView['status']): Promise<TaskView> => {
    const reported = new Promise<TaskView>((resolve) => {
      const check = () => {
        const found = changes.flat().find((task) => task.id === taskId && task.status === status);
        if (found) resolve(found);
        return found !== undefined;
      };
      if (!check()) watchers.add(check);
    });
    return withTimeout(reported, WAIT_MS, `task ${taskId} reported ${status}`);
  };

  it('stores a submission as queued, which is what schedulers claim, and announces its creation from the outbox', async () => {
    const outcome = await store.submit(
      submission({ type: 'analyze.file', input: { path: 'a.ts' }, priority: 7 }),
      'client-1',
    );

    expect(outcome.created).toBe(true);
    expect(outcome.task).toMatchObject({
      clientId: 'client-1',
      type: 'analyze.file',
      priority: 7,
      status: 'queued',
      attempt: 0,
    });
    await expect(store.getTask(outcome.task.id)).resolves.toMatchObject({ status: 'queued' });

    await announced.untilCount(1, WAIT_MS);
    const [message] = announced.received;
    expect(message?.key).toBe(outcome.task.id);
    const { seq, event, task } = TaskChangedMessageSchema.parse(message?.value);
    expect([seq, event.type, event.attempt]).toEqual([1, 'queued', 0]);
    expect(task).toMatchObject({
      id: outcome.task.id,
      clientId: 'client-1',
      input: { path: 'a.ts' },
      priority: 7,
    });
  });

  it('answers a resubmission with the same idempotency key with the same task, announced once', async () => {
    const body = submission({ type: 'analyze.file', input: { path: 'b.ts' }, idempotencyKey: 'key-1' });
    const first = await store.submit(body, 'client-1');
    const again = await store.submit(body, 'client-1');

    expect(again).toEqual({
      created: false,
      task: expect.objectContaining({ id: first.task.id, status: 'queued' }),
    });

    await bus.publish(topics.taskEvents, [
      { key: first.task.id, value: buildTaskEvent('dispatched', first.task.id, 1, { agentId: 'agent-a' }) },
    ]);
    await changedTo(first.task.id, 'dispatched');
    const late = await store.submit(body, 'client-1');
    expect(late).toMatchObject({
      created: false,
      task: { id: first.task.id, status: 'dispatched', attempt: 1 },
    });

    await announced.untilCount(2, WAIT_MS, 'the creation and the dispatch');
    // Keyed by the stored task's id (not the id drafted for the repeats); the repeats announce nothing.
    expect(
      announced.values().map((value) => {
        const change = TaskChangedMessageSchema.parse(value);
        return [change.task.id, change.seq, change.event.type];
      }),
    ).toEqual([
      [first.task.id, 1, 'queued'],
      [first.task.id, 2, 'dispatched'],
    ]);
    // The key belongs to the client: another client's identical submission is a new task.
    await expect(store.submit(body, 'client-2')).resolves.toMatchObject({ created: true });
  });

  it('refuses an idempotency key reused for different work', async () => {
    await store.submit(
      submission({ type: 'analyze.file', input: { path: 'c.ts' }, idempotencyKey: 'key-2' }),
      'client-1',
    );
    await expect(
      store.submit(
        submission({ type: 'analyze.file', input: { path: 'other.ts' }, idempotencyKey: 'key-2' }),
        'client-1',
      ),
    ).rejects.toMatchObject({ code: 'IDEMPOTENCY_CONFLICT' });
  });

  it('applies task events from the bus: status changes, the result, and the change callback', async () => {
    const { task } = await store.submit(submission(), 'client-1');
    const [dispatched, started, succeeded] = lifecycleEvents(task.id, 1, 'agent-a');

    await bus.publish(topics.taskEvents, [{ key: task.id, value: dispatched }]);
    await expect(changedTo(task.id, 'dispatched')).resolves.toMatchObject({ agentId: 'agent-a', attempt: 1 });
    await bus.publish(
      topics.taskEvents,
      [started, succeeded].map((event) => ({ key: task.id, value: event })),
    );

    await changedTo(task.id, 'succeeded');
    await expect(store.getTask(task.id)).resolves.toMatchObject({ status: 'succeeded', agentId: 'agent-a' });
    await expect(store.getResult(task.id)).resolves.toMatchObject({
      taskId: task.id,
      attempt: 1,
      agentId: 'agent-a',
      output: { taskId: task.id, ok: true },
    });
    await expect(store.listTasks({ status: 'succeeded' })).resolves.toMatchObject({
      tasks: [{ id: task.id }],
    });
  });

  it('dead-letters an invalid event and still applies the valid events of its batch', async () => {
    const dlq = await listen(deadLetterTopic(topics.taskEvents));
    const { task } = await store.submit(submission(), 'client-1');
    const [dispatched, started] = lifecycleEvents(task.id, 1, 'agent-a');
    const invalid = { type: 'started', taskId: task.id, attempt: -1 };

    // One publish with one key: one partition, one batch.
    await bus.publish(
      topics.taskEvents,
      [dispatched, invalid, started].map((value) => ({ key: task.id, value })),
    );

    await dlq.untilCount(1, WAIT_MS, 'the dead-lettered event');
    expect(dlq.received[0]?.value).toEqual(invalid);
    expect(dlq.received[0]?.headers[DEAD_LETTER_HEADERS.errorCode]).toBe('INVALID_MESSAGE');
    expect(dlq.received[0]?.headers[DEAD_LETTER_HEADERS.group]).toBe('result-store');
    await changedTo(task.id, 'running');
    await expect(store.getTask(task.id)).resolves.toMatchObject({
      status: 'running',
      attempt: 1,
      agentId: 'agent-a',
    });
  });
});
