import { randomUUID } from 'node:crypto';
import {
  DEFAULT_INLINE_LIMIT_BYTES,
  TaskChangedMessageSchema,
  TaskSubmissionSchema,
  jsonByteLength,
  topicNames,
  type PayloadStore,
  type Subscription,
  type TaskChangedMessage,
} from '@contextforge/contracts';
import { HttpPayloadStore, createServiceApp, listen, payloadRouter } from '@contextforge/http-kit';
import { MemoryMessageBus } from '@contextforge/messaging';
import { createSilentLogger } from '@contextforge/observability';
import { MemoryTaskRepository, OutboxRelay } from '@contextforge/persistence';
import {
  MessageRecorder,
  buildTaskEvent,
  describePayloadStoreContract,
  uniqueName,
  type OpenAttempt,
} from '@contextforge/testing';
import { ResultStore } from '../src';

const WAIT_MS = 10_000;

/** A result-store on memory adapters, and its payload routes served over HTTP. */
async function startStore() {
  const topics = topicNames(uniqueName('rs-payloads'));
  const bus = new MemoryMessageBus({ partitions: 1 });
  await bus.connect();
  const repository = new MemoryTaskRepository();
  await repository.connect();
  const logger = createSilentLogger();
  const relay = new OutboxRelay({ queue: repository, bus, topic: topics.taskChanges, logger });
  relay.start();
  const store = new ResultStore({ repository, bus, topics, logger, onCommitted: () => relay.kick() });
  await store.start();
  const server = await listen(
    createServiceApp({ logger, routers: [payloadRouter(store.payloads, 100_000_000)] }),
    0,
    '127.0.0.1',
  );
  const url = `http://127.0.0.1:${server.port}`;
  return {
    topics,
    bus,
    repository,
    store,
    url,
    close: async () => {
      await server.close();
      await store.stop();
      await relay.stop();
      await bus.close();
      await repository.close();
    },
  };
}
type StartedStore = Awaited<ReturnType<typeof startStore>>;

/** The contract's attempt controls, through the store's own repository. */
function attempts(started: () => StartedStore) {
  const claim = async (taskId: string, attempt: number): Promise<OpenAttempt> => {
    const token = randomUUID();
    await started().repository.applyEvents([buildTaskEvent('dispatched', taskId, attempt, { token })]);
    return { taskId, attempt, token };
  };
  return {
    openAttempt: async () => {
      const { task } = await started().store.submit(TaskSubmissionSchema.parse({ type: 'echo' }), 'c1');
      return claim(task.id, 1);
    },
    supersede: async (attempt: OpenAttempt) => {
      await started().repository.applyEvents([
        buildTaskEvent('failed', attempt.taskId, attempt.attempt, { token: attempt.token }),
      ]);
      return claim(attempt.taskId, attempt.attempt + 1);
    },
    finish: async (attempt: OpenAttempt) => {
      await started().store.cancel(attempt.taskId, 'done with it');
    },
  };
}

for (const [name, client] of [
  ['ResultStore.payloads (in-process)', (started: StartedStore): PayloadStore => started.store.payloads],
  [
    'HttpPayloadStore over payloadRouter(ResultStore)',
    (started: StartedStore) => new HttpPayloadStore(started.url),
  ],
] as const) {
  describePayloadStoreContract(name, async () => {
    const started = await startStore();
    return { store: client(started), ...attempts(() => started), cleanup: started.close };
  });
}

describe('payloads by reference, end to end (an agent over HTTP and the bus -> result-store)', () => {
  let started: StartedStore;
  const recorders = { events: new MessageRecorder(), changes: new MessageRecorder() };
  const subscriptions: Subscription[] = [];

  beforeAll(async () => {
    started = await startStore();
    for (const [topic, recorder] of [
      [started.topics.taskEvents, recorders.events],
      [started.topics.taskChanges, recorders.changes],
    ] as const) {
      subscriptions.push(
        await started.bus.subscribe({ topic, group: uniqueName('observer'), handler: recorder.handler }),
      );
    }
  });

  afterAll(async () => {
    await Promise.all(subscriptions.map((subscription) => subscription.close()));
    await started.close();
  });

  it('keeps a 200 KB output as the result while every message stays under the inline limit', async () => {
    const big = { text: 'ż'.repeat(100_000), symbols: [] };
    const { task } = await started.store.submit(
      TaskSubmissionSchema.parse({ type: 'echo', input: big }),
      'c1',
    );
    const { claimed } = await started.repository.claim({
      owner: 'scheduler-test',
      agents: [{ id: 'agent-1', taskTypes: ['echo'], capabilities: [], concurrency: 1, weight: 1 }],
      limit: 1,
      dispatchLeaseMs: 60_000,
      timeoutGraceMs: 1_000,
      choose: (_task, candidates) => candidates[0]?.id,
    });
    const [attempt] = claimed;
    if (!attempt) throw new Error('nothing claimed');
    expect(attempt.task.input).toEqual(big);

    // What the agent runtime does with an output above the limit (libs/agent-sdk): upload, then
    // publish its events with the id only.
    const owner = { taskId: task.id, attempt: attempt.attempt, token: attempt.token };
    const ref = await new HttpPayloadStore(started.url).put(owner, big);
    expect(ref.bytes).toBeGreaterThan(200_000);
    const base = { agentId: 'agent-1', token: attempt.token };
    await started.bus.publish(
      started.topics.taskEvents,
      [
        buildTaskEvent('started', task.id, attempt.attempt, base),
        buildTaskEvent('succeeded', task.id, attempt.attempt, {
          ...base,
          output: undefined,
          outputRef: ref.id,
        }),
      ].map((event) => ({ key: task.id, value: event })),
    );
    // Announced after the commit, so the result is there by then.
    await recorders.changes.until(
      (received) =>
        received.some((message) => {
          const change = message.value as TaskChangedMessage;
          return change.task.id === task.id && change.event.type === 'succeeded';
        }),
      WAIT_MS,
      'the announced success',
    );

    expect(await started.store.getTask(task.id)).toMatchObject({ status: 'succeeded', input: big });
    expect((await started.store.getResult(task.id))?.output).toEqual(big);
    // Every change went out through the outbox, in commit order, the claim's `dispatched` included.
    const announced = recorders.changes
      .values<TaskChangedMessage>()
      .filter((change) => change.task.id === task.id);
    const published = recorders.events.received.filter((message) => message.key === task.id);
    expect(announced.map((change) => change.event.type)).toEqual([
      'queued',
      'dispatched',
      'started',
      'succeeded',
    ]);
    for (const message of [...announced, ...published.map((entry) => entry.value)]) {
      expect(jsonByteLength(message)).toBeLessThan(DEFAULT_INLINE_LIMIT_BYTES);
    }
    for (const change of [announced.at(-1)]) {
      expect(TaskChangedMessageSchema.parse(change)).toMatchObject({
        inputOmitted: true,
        task: { status: 'succeeded', input: null },
        event: { type: 'succeeded', outputRef: ref.id },
      });
    }
  });
});
