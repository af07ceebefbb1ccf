import {
  ContextForgeClient,
  defaultOpenStreamSocket,
  type AgentStreamMessage,
  type OpenStreamSocket,
  type StreamConnection,
} from '@contextforge/client';
import type { TaskStreamEvent, TaskView } from '@contextforge/contracts';
import { deferred } from '@contextforge/testing';
import { randomUUID } from 'node:crypto';
import type { EmbeddedSystem } from '../src/embedded-system';
import { startTestSystem } from './support/start-test-system';

/** The client SDK's WebSocket streams against the real embedded system. */
describe('client SDK: streams against the embedded system', () => {
  let system: EmbeddedSystem;
  let client: ContextForgeClient;
  let agentClient: ContextForgeClient;

  beforeAll(async () => {
    system = await startTestSystem({ CONTEXTFORGE__EMBEDDED__AGENTS: '2' });
    client = new ContextForgeClient({ baseUrl: system.url, token: system.credentials?.clientToken });
    agentClient = new ContextForgeClient({ baseUrl: system.url, apiKey: system.credentials?.agentKey });
  });

  afterAll(async () => {
    await system?.stop();
  });

  const when = (predicate: (task: TaskView) => boolean): Promise<TaskView> => {
    const seen = deferred<TaskView>();
    const unsubscribe = system.onTaskChanged((task) => {
      if (predicate(task)) seen.resolve(task);
    });
    return seen.promise.finally(unsubscribe);
  };

  const collect = async (stream: AsyncIterable<TaskStreamEvent>): Promise<TaskStreamEvent[]> => {
    const events: TaskStreamEvent[] = [];
    for await (const event of stream) events.push(event);
    return events;
  };

  it('streams every event of a task in order and ends when it is final', async () => {
    const { taskId } = await client.submitTask({ type: 'echo', input: { n: 1 } });
    const events = await collect(client.streamTask(taskId));
    expect(events.map((event) => event.seq)).toEqual(events.map((_, index) => index + 1));
    expect(events[0]?.event.type).toBe('queued');
    expect(events.at(-1)?.event.type).toBe('succeeded');
    expect(events.map((event) => event.event.taskId)).toEqual(events.map(() => taskId));

    // Resuming after the last event of a final task: nothing more, and the iteration ends.
    expect(await collect(client.streamTask(taskId, { after: events.at(-1)?.seq ?? 0 }))).toEqual([]);
  });

  it('resumes after a forced disconnect without losing or repeating an event', async () => {
    const connects: string[] = [];
    const finished = deferred<void>();
    const real = defaultOpenStreamSocket();
    // The first connection drops (its socket really closes) after its first event; the second
    // connects only once the task is final, so every later event happened while disconnected.
    const flaky: OpenStreamSocket = async (url, credentials) => {
      connects.push(new URL(url).searchParams.get('after') ?? '');
      if (connects.length > 1) await finished.promise;
      const connection = await real(url, credentials);
      if (connects.length > 1) return connection;
      let delivered = 0;
      const dropping: StreamConnection = {
        async next() {
          if (delivered === 1) {
            connection.close();
            return { kind: 'close', code: 1006, reason: 'dropped by the test' };
          }
          const event = await connection.next();
          if (event.kind === 'message') delivered += 1;
          return event;
        },
        close: () => connection.close(),
      };
      return dropping;
    };
    const flakyClient = new ContextForgeClient({
      baseUrl: system.url,
      token: system.credentials?.clientToken,
      openStreamSocket: flaky,
    });
    const { taskId } = await client.submitTask({ type: 'echo', input: { n: 2 } });
    const done = when((task) => task.id === taskId && task.status === 'succeeded');
    const streamed = collect(flakyClient.streamTask(taskId));
    const final = await done;
    finished.resolve();
    const events = await streamed;

    expect(connects).toEqual(['0', '1']);
    expect(events.map((event) => event.seq)).toEqual(
      Array.from({ length: final.eventSeq }, (_, index) => index + 1),
    );
    expect(events.at(-1)?.event.type).toBe('succeeded');
  });

  it('refuses a stream of an unknown task and a stream without valid credentials', async () => {
    await expect(collect(client.streamTask(randomUUID()))).rejects.toMatchObject({
      code: 'TASK_NOT_FOUND',
      status: 404,
    });
    const stranger = new ContextForgeClient({ baseUrl: system.url, token: 'bad-token' });
    const { taskId } = await client.submitTask({ type: 'nobody-runs-this' });
    await expect(collect(stranger.streamTask(taskId))).rejects.toMatchObject({
      code: 'UNAUTHENTICATED',
      status: 401,
    });
    await client.cancelTask(taskId);
  });

  it('stops a task stream when the signal aborts', async () => {
    const { taskId } = await client.submitTask({ type: 'nobody-runs-this' });
    const controller = new AbortController();
    const seen: number[] = [];
    for await (const event of client.streamTask(taskId, { signal: controller.signal })) {
      seen.push(event.seq);
      controller.abort();
    }
    expect(seen).toEqual([1]);
    await client.cancelTask(taskId);
  });

  it('streams agents: a snapshot first, then changes; a resume with the epoch replays without a snapshot', async () => {
    const first: AgentStreamMessage[] = [];
    const id = `stream-agent-${randomUUID().slice(0, 8)}`;
    const registration = {
      id,
      name: 'stream test',
      type: 'test',
      taskTypes: ['x'],
      endpoint: `memory://${id}`,
    };
    for await (const message of client.streamAgents()) {
      first.push(message);
      if (message.type === 'snapshot') {
        expect(message.data.map((agent) => agent.id)).toEqual(['local-agent-1', 'local-agent-2']);
        await agentClient.registerAgent(registration);
      } else if (message.data.kind === 'status' && message.data.event.agentId === id) {
        break;
      }
    }
    const last = first.at(-1);
    if (!last) throw new Error('no message');
    expect(first[0]?.type).toBe('snapshot');

    await agentClient.deregisterAgent(id);
    const resumed: AgentStreamMessage[] = [];
    for await (const message of client.streamAgents({ after: last.seq, epoch: last.epoch })) {
      resumed.push(message);
      if (
        message.type === 'event' &&
        message.data.kind === 'status' &&
        message.data.event.status === 'deregistered'
      ) {
        break;
      }
    }
    expect(resumed[0]?.type).toBe('event');
    expect(resumed[0]?.seq).toBe(last.seq + 1);
    expect(resumed.every((message) => message.epoch === last.epoch)).toBe(true);
  });

  it('streams metrics: a snapshot, then ticks', async () => {
    const types: string[] = [];
    for await (const message of client.streamMetrics()) {
      types.push(message.type);
      expect(message.data.agents.total).toBeGreaterThanOrEqual(2);
      if (types.length === 2) break;
    }
    expect(types).toEqual(['snapshot', 'event']);
  });
});
