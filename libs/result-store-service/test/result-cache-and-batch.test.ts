import {
  TaskChangedMessageSchema,
  TaskSubmissionSchema,
  topicNames,
  type Subscription,
  type TaskChangedMessage,
  type TaskSubmissionInput,
  type TaskView,
} from '@contextforge/contracts';
import { MemoryMessageBus } from '@contextforge/messaging';
import { createSilentLogger } from '@contextforge/observability';
import { MemoryTaskRepository, OutboxRelay } from '@contextforge/persistence';
import { MessageRecorder, buildTaskEvent, uniqueName } from '@contextforge/testing';
import { ResultStore } from '../src/result-store';

const WAIT_MS = 5_000;
const submission = (input: TaskSubmissionInput = { type: 'indexer' }) => TaskSubmissionSchema.parse(input);

describe('ResultStore result cache, batches and symbol search', () => {
  const topics = topicNames(uniqueName('rs'));
  let bus: MemoryMessageBus;
  let repository: MemoryTaskRepository;
  let store: ResultStore;
  let relay: OutboxRelay;
  let changes: MessageRecorder;
  let changedTasks: TaskView[];
  const subscriptions: Subscription[] = [];

  beforeEach(async () => {
    // One partition: delivery in publish order, so a later message proves an earlier one is not coming.
    bus = new MemoryMessageBus({ partitions: 1, retry: { maxRetries: 1, initialDelayMs: 1, maxDelayMs: 5 } });
    await bus.connect();
    repository = new MemoryTaskRepository();
    await repository.connect();
    changedTasks = [];
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
      onTasksChanged: (tasks) => void changedTasks.push(...tasks),
    });
    await store.start();
    changes = new MessageRecorder();
    subscriptions.push(
      await bus.subscribe({ topic: topics.taskChanges, group: 'observer', handler: changes.handler }),
    );
  });

  afterEach(async () => {
    await Promise.all(subscriptions.splice(0).map((subscription) => subscription.close()));
    await store.stop();
    await relay.stop();
    await bus.close();
    await repository.close();
  });

  /** Whether the task waits in the queue, where a scheduler replica would claim it. */
  const scheduled = async (taskId: string | undefined) =>
    (await store.getTask(taskId ?? ''))?.status === 'queued';
  const changesOf = (taskId: string): TaskChangedMessage[] =>
    changes
      .values()
      .map((value) => TaskChangedMessageSchema.parse(value))
      .filter((change) => change.task.id === taskId);
  /** Submits a marker task and waits for its announcement: everything published before has arrived. */
  const drain = async () => {
    const { task } = await store.submit(submission({ type: 'marker' }), uniqueName('marker'));
    await changes.until((received) => received.some((m) => m.key === task.id), WAIT_MS, 'marker changed');
  };

  /** Submits with `cacheKey` as `clientId` and completes it with `output` (as the agent would). */
  const succeeded = async (clientId: string, cacheKey: string, output: unknown): Promise<TaskView> => {
    const { task } = await store.submit(submission(), clientId, { cacheKey });
    await repository.applyEvents([buildTaskEvent('succeeded', task.id, 1, { output, agentId: 'agent-x' })]);
    return task;
  };

  it('answers a cache hit succeeded without scheduling it, announcing queued then succeeded', async () => {
    const clientId = uniqueName('client');
    await succeeded(clientId, 'key-1', { symbols: [] });

    const hit = await store.submit(submission(), clientId, { cacheKey: 'key-1' });
    await drain();

    expect(hit).toMatchObject({ created: true, task: { status: 'succeeded', fromCache: true, eventSeq: 2 } });
    expect(await scheduled(hit.task.id)).toBe(false);
    const announced = changesOf(hit.task.id);
    expect(announced.map((change) => [change.seq, change.event.type, change.task.status])).toEqual([
      [1, 'queued', 'queued'],
      [2, 'succeeded', 'succeeded'],
    ]);
    expect(announced[0]?.task.eventSeq).toBe(1);
    expect(announced[1]?.task).toEqual(hit.task);
    expect(changedTasks.map((task) => task.id)).toContain(hit.task.id);
    await expect(store.getResult(hit.task.id)).resolves.toMatchObject({
      fromCache: true,
      agentId: 'agent-x',
    });
  });

  it('schedules a miss: another key, or the same key of another client', async () => {
    const clientId = uniqueName('client');
    await succeeded(clientId, 'key-2', { ok: true });

    const otherKey = await store.submit(submission(), clientId, { cacheKey: 'key-3' });
    const otherClient = await store.submit(submission(), uniqueName('client'), { cacheKey: 'key-2' });
    await drain();

    for (const miss of [otherKey, otherClient]) {
      expect(miss.task.status).toBe('queued');
      expect(await scheduled(miss.task.id)).toBe(true);
    }
  });

  it('submits a batch in order, hits and misses, scheduling only the misses in one publish', async () => {
    const clientId = uniqueName('client');
    await succeeded(clientId, 'key-4', { n: 4 });

    const outcomes = await store.submitBatch(
      [
        { submission: submission({ type: 'indexer', input: { file: 'a.ts' } }) },
        { submission: submission(), options: { cacheKey: 'key-4' } },
        { submission: submission({ type: 'indexer', input: { file: 'c.ts' }, idempotencyKey: 'k-c' }) },
      ],
      clientId,
    );
    const replay = await store.submitBatch(
      [{ submission: submission({ type: 'indexer', input: { file: 'c.ts' }, idempotencyKey: 'k-c' }) }],
      clientId,
    );
    await drain();

    expect(outcomes.map((outcome) => [outcome.created, outcome.task.status])).toEqual([
      [true, 'queued'],
      [true, 'succeeded'],
      [true, 'queued'],
    ]);
    expect(outcomes.map((outcome) => outcome.task.input)).toEqual([{ file: 'a.ts' }, null, { file: 'c.ts' }]);
    expect(replay[0]).toMatchObject({ created: false, task: { id: outcomes[2]?.task.id } });
    expect(await scheduled(outcomes[0]?.task.id)).toBe(true);
    expect(await scheduled(outcomes[2]?.task.id)).toBe(true);
    expect(await scheduled(outcomes[1]?.task.id)).toBe(false);
  });

  it('searches the symbols of results through the repository', async () => {
    const clientId = uniqueName('client');
    const { task } = await store.submit(submission(), clientId);
    const symbol = {
      kind: 'function',
      name: 'loadConfig',
      file: 'src/config.ts',
      startLine: 3,
      endLine: 9,
      signature: 'export function loadConfig(path: string)',
      language: 'typescript',
    };
    await repository.applyEvents([
      buildTaskEvent('succeeded', task.id, 1, { output: { symbols: [symbol] } }),
    ]);

    const page = await store.searchSymbols({ text: 'load conf', clientId, limit: 10 });

    expect(page.results).toEqual([{ symbol, taskId: task.id, score: expect.any(Number) }]);
    await expect(store.searchSymbols({ text: 'load', clientId: 'someone-else', limit: 10 })).resolves.toEqual(
      {
        results: [],
      },
    );
  });
});
