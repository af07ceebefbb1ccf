import { buildTaskEvent, lifecycleEvents, waitFor } from '@contextforge/testing';
import {
  PRINCIPALS,
  openStream,
  refusedUpgrade,
  startStreamTestSystem,
  type StreamTestSystem,
} from './support/stream-test-system';
import type { TaskEvent } from '@contextforge/contracts';
import type { StreamMessage } from '@contextforge/gateway-service';

const eventSeqs = (messages: StreamMessage[]): number[] =>
  messages.filter((message) => message.type === 'event').map((message) => message.seq);

describe('WebSocket streams', () => {
  let system: StreamTestSystem;

  beforeEach(async () => {
    system = await startStreamTestSystem({ hub: { metricsIntervalMs: 20 } });
  });
  afterEach(async () => {
    await system.close();
  });

  const submit = async (token: 'client-a' | 'client-b' = 'client-a'): Promise<string> => {
    const outcome = await system.operations.submitTask(PRINCIPALS[token], {
      type: 'analyze-file',
      input: { n: 1 },
    });
    return outcome.task.id;
  };

  it('delivers every event of a task in seq order, then ends and closes normally', async () => {
    const taskId = await submit();
    const client = openStream(system.httpPort, `/tasks/stream/${taskId}`, 'client-a');
    await client.until((messages) => messages.some((message) => message.seq === 1), 'the queued event');
    await system.publishEvents(lifecycleEvents(taskId));

    const closed = await client.closed;
    expect(closed.code).toBe(1000);
    expect(client.messages.map((message) => [message.type, message.seq])).toEqual([
      ['event', 1],
      ['event', 2],
      ['event', 3],
      ['event', 4],
      ['end', 4],
    ]);
    const types = client.messages.map(
      (message) => (message.data as { event?: { type: string } }).event?.type,
    );
    expect(types).toEqual(['queued', 'dispatched', 'started', 'succeeded', undefined]);
    expect(client.messages.at(-1)?.data).toEqual({ taskId, status: 'succeeded' });
  });

  it('resumes after a disconnect with nothing lost and nothing repeated', async () => {
    const taskId = await submit();
    const [dispatched, started, succeeded] = lifecycleEvents(taskId) as [TaskEvent, TaskEvent, TaskEvent];
    const first = openStream(system.httpPort, `/tasks/stream/${taskId}`, 'client-a');
    await system.publishEvents([dispatched, started]);
    await first.until((messages) => eventSeqs(messages).includes(3), 'seq 3');
    first.ws.close();
    await first.closed;

    const progress = Array.from({ length: 5 }, (_, index) =>
      buildTaskEvent('progress', taskId, 1, { agentId: 'agent-a', progress: { done: index } }),
    );
    await system.publishEvents([...progress, succeeded]);
    await waitFor(
      async () => (await system.operations.getTask(PRINCIPALS['client-a'], taskId)).status === 'succeeded',
    );

    const last = eventSeqs(first.messages).at(-1) ?? 0;
    const second = openStream(system.httpPort, `/tasks/stream/${taskId}?after=${last}`, 'client-a');
    expect((await second.closed).code).toBe(1000);
    expect([...eventSeqs(first.messages), ...eventSeqs(second.messages)]).toEqual([
      1, 2, 3, 4, 5, 6, 7, 8, 9,
    ]);
    expect(second.messages.at(-1)).toMatchObject({ type: 'end', seq: 9 });

    // Resuming after the final event of a final task: only the end.
    const third = openStream(system.httpPort, `/tasks/stream/${taskId}?after=9`, 'client-a');
    expect((await third.closed).code).toBe(1000);
    expect(third.messages).toEqual([{ type: 'end', seq: 9, data: { taskId, status: 'succeeded' } }]);
  });

  it("refuses another client's task as not found, and unauthenticated or unknown upgrades", async () => {
    const taskId = await submit('client-a');
    await expect(
      refusedUpgrade(system.httpPort, `/tasks/stream/${taskId}`, { authorization: 'Bearer client-b' }),
    ).resolves.toMatchObject({
      status: 404,
      body: { error: { code: 'TASK_NOT_FOUND' } },
    });
    await expect(refusedUpgrade(system.httpPort, `/tasks/stream/${taskId}`)).resolves.toMatchObject({
      status: 401,
      body: { error: { code: 'UNAUTHENTICATED' } },
    });
    await expect(
      refusedUpgrade(system.httpPort, `/agents/stream`, { authorization: 'Bearer forged' }),
    ).resolves.toMatchObject({ status: 401 });
    await expect(
      refusedUpgrade(system.httpPort, `/nope/stream`, { authorization: 'Bearer admin' }),
    ).resolves.toMatchObject({
      status: 404,
      body: { error: { code: 'ROUTE_NOT_FOUND' } },
    });
    await expect(
      refusedUpgrade(system.httpPort, `/tasks/stream/${taskId}?after=-1`, {
        authorization: 'Bearer client-a',
      }),
    ).resolves.toMatchObject({ status: 400, body: { error: { code: 'VALIDATION_FAILED' } } });
    expect(system.streams.stats()).toMatchObject({ accepted: 0, rejected: 5 });
  });

  it('accepts the token as access_token query parameter or as a bearer sub-protocol', async () => {
    const taskId = await submit();
    const byQuery = openStream(system.httpPort, `/tasks/stream/${taskId}?access_token=client-a`, undefined);
    await byQuery.until((messages) => messages.length > 0, 'a message');
    const byProtocol = openStream(system.httpPort, `/tasks/stream/${taskId}`, undefined, {
      protocols: ['contextforge.v1', 'bearer.client-a'],
    });
    await byProtocol.until((messages) => messages.length > 0, 'a message');
    expect(byProtocol.ws.protocol).toBe('contextforge.v1');
    byQuery.ws.close();
    byProtocol.ws.close();
    await Promise.all([byQuery.closed, byProtocol.closed]);
  });

  it('closes a client that never reads with 4008, keeping its buffer bounded, and the client resumes losslessly', async () => {
    await system.close();
    const highWaterMarkBytes = 64 * 1024;
    system = await startStreamTestSystem({ streams: { highWaterMarkBytes, slowConsumerGraceMs: 50 } });
    const taskId = await submit();
    const slow = openStream(system.httpPort, `/tasks/stream/${taskId}`, 'client-a');
    await slow.opened;
    slow.ws.pause();

    const message = 'x'.repeat(1000);
    const total = 8000;
    for (let start = 0; start < total; start += 500) {
      await system.publishEvents(
        Array.from({ length: 500 }, (_, index) =>
          buildTaskEvent('progress', taskId, 1, {
            agentId: 'agent-a',
            progress: { done: start + index, message },
          }),
        ),
      );
      if (system.streams.stats().closedSlow > 0) break;
    }
    await waitFor(() => system.streams.stats().closedSlow === 1, { timeoutMs: 30_000 });
    const stats = system.streams.stats();
    // One message past the mark at most (a progress event here is about 1.3 KB).
    expect(stats.maxBufferedAmount).toBeLessThanOrEqual(highWaterMarkBytes + 4096);
    expect(stats.maxBufferedAmount).toBeGreaterThan(highWaterMarkBytes);
    await waitFor(() => system.streams.stats().open === 0, { timeoutMs: 10_000 });

    // A fresh reader from the start gets every applied event, in order.
    const applied = (await system.operations.getTask(PRINCIPALS['client-a'], taskId)).eventSeq;
    const reader = openStream(system.httpPort, `/tasks/stream/${taskId}`, 'client-a');
    await reader.until((messages) => eventSeqs(messages).includes(applied), `seq ${applied}`);
    expect(eventSeqs(reader.messages)).toEqual(Array.from({ length: applied }, (_, index) => index + 1));
    reader.ws.close();
    await reader.closed;
  });

  it('agents stream: snapshot first, then events; resume replays within the epoch, else a snapshot', async () => {
    const admin = PRINCIPALS.admin;
    const registration = (id: string) => ({
      id,
      name: id,
      type: 'code-analyzer',
      taskTypes: ['analyze-file'],
      endpoint: `http://${id}.internal:8001`,
    });
    const first = openStream(system.httpPort, '/agents/stream', 'admin');
    await first.until((messages) => messages.length === 1, 'the snapshot');
    const snapshot = first.messages[0];
    expect(snapshot).toMatchObject({ type: 'snapshot', seq: 0, epoch: system.hub.epoch, data: [] });

    await system.operations.registerAgent(admin, registration('agent-1'));
    await first.until((messages) => messages.length === 2, 'the first event');
    expect(first.messages[1]).toMatchObject({
      type: 'event',
      seq: 1,
      epoch: system.hub.epoch,
      data: { kind: 'status', event: { agentId: 'agent-1', status: 'healthy' } },
    });
    first.ws.close();
    await first.closed;

    await system.operations.registerAgent(admin, registration('agent-2'));
    await waitFor(() => system.hub.stats().agentSeq === 2);
    const resumed = openStream(system.httpPort, `/agents/stream?after=1&epoch=${system.hub.epoch}`, 'admin');
    await resumed.until((messages) => messages.length === 1, 'the replayed event');
    expect(resumed.messages[0]).toMatchObject({
      type: 'event',
      seq: 2,
      data: { event: { agentId: 'agent-2' } },
    });

    const otherEpoch = openStream(system.httpPort, '/agents/stream?after=1&epoch=old-epoch', 'admin');
    await otherEpoch.until((messages) => messages.length === 1, 'the snapshot');
    expect(otherEpoch.messages[0]).toMatchObject({ type: 'snapshot', seq: 2 });
    expect((otherEpoch.messages[0]?.data as Array<{ id: string }>).map((agent) => agent.id).sort()).toEqual([
      'agent-1',
      'agent-2',
    ]);
    resumed.ws.close();
    otherEpoch.ws.close();
    await Promise.all([resumed.closed, otherEpoch.closed]);
  });

  it('metrics stream: a snapshot, then periodic ticks with agents and tasks figures', async () => {
    await submit();
    const client = openStream(system.httpPort, '/metrics/stream', 'admin');
    await client.until((messages) => eventSeqs(messages).length >= 3, 'three ticks');
    expect(client.messages[0]).toMatchObject({ type: 'snapshot' });
    const ticks = client.messages.filter((message) => message.type === 'event');
    const seqs = ticks.map((message) => message.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(new Set(seqs).size).toBe(seqs.length);
    expect(ticks[0]?.data).toMatchObject({ agents: { total: 0 }, tasks: { byStatus: { queued: 1 } } });
    client.ws.close();
    await client.closed;
    await waitFor(() => system.hub.stats().metricsWatchers === 0);
  });
});
