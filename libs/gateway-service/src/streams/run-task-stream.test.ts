import type {
  Principal,
  TaskChangedMessage,
  TaskEvent,
  TaskStreamEvent,
  TaskView,
} from '@contextforge/contracts';
import { AppError } from '@contextforge/contracts';
import { runTaskStream, type StreamSink } from './run-task-stream';
import type { StreamMessage } from './stream-message';

const TASK_ID = '11111111-1111-4111-8111-111111111111';
const principal: Principal = { kind: 'client', id: 'alice', roles: ['client'] };

function event(seq: number, type: TaskEvent['type'] = 'progress'): TaskStreamEvent {
  const base = { taskId: TASK_ID, attempt: 1, at: new Date(0).toISOString() };
  const byType: Record<string, unknown> = {
    queued: { ...base, type },
    progress: { ...base, type, agentId: 'a1', progress: { done: seq } },
    succeeded: { ...base, type, agentId: 'a1', output: seq, durationMs: 1 },
    cancelled: { ...base, type, reason: 'stop' },
  };
  return { seq, event: byType[type] as TaskEvent };
}

function view(eventSeq: number, status: TaskView['status'] = 'running'): TaskView {
  return { id: TASK_ID, status, eventSeq } as TaskView;
}

/** A fake store + live feed: history holds every committed event, live is published by hand. */
function harness(options: {
  history: TaskStreamEvent[];
  status?: TaskView['status'];
  congestedAfter?: number;
}) {
  const history = [...options.history];
  const listeners = new Set<(message: TaskChangedMessage) => void>();
  const sent: StreamMessage[] = [];
  const historyCalls: number[] = [];
  let congested = false;
  let congestAt = options.congestedAfter;
  let release: (() => void) | undefined;
  const sink: StreamSink = {
    send: (message) => {
      sent.push(message);
      if (congestAt !== undefined && sent.length >= congestAt) congested = true;
    },
    congested: () => congested,
    drained: () =>
      new Promise<void>((resolve) => {
        release = () => {
          congested = false;
          congestAt = undefined;
          resolve();
        };
      }),
  };
  const operations = {
    getTask: async (_principal: Principal, id: string): Promise<TaskView> => {
      if (id !== TASK_ID) throw new AppError('TASK_NOT_FOUND', 'no such task');
      const last = history.at(-1)?.seq ?? 0;
      return view(last, options.status);
    },
    taskEvents: async (_principal: Principal, _id: string, after: number): Promise<TaskStreamEvent[]> => {
      historyCalls.push(after);
      return history.filter((entry) => entry.seq > after).slice(0, 2);
    },
  };
  const live = (entry: TaskStreamEvent, status: TaskView['status'] = 'running'): void => {
    for (const listener of listeners) listener({ ...entry, task: view(entry.seq, status) });
  };
  const watch = (_id: string, listener: (message: TaskChangedMessage) => void) => {
    listeners.add(listener);
    return () => listeners.delete(listener);
  };
  return {
    history,
    sent,
    sink,
    operations,
    live,
    watch,
    historyCalls,
    listeners,
    release: () => release?.(),
  };
}

const seqs = (messages: StreamMessage[]): Array<[string, number]> => messages.map((m) => [m.type, m.seq]);
const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('runTaskStream', () => {
  it('sends history after the resume point page by page, then live events, and ends on a final one', async () => {
    const h = harness({ history: [1, 2, 3, 4, 5].map((seq) => event(seq)) });
    const abort = new AbortController();
    const done = runTaskStream({ ...h, principal, taskId: TASK_ID, afterSeq: 1, signal: abort.signal });
    await tick();
    expect(seqs(h.sent)).toEqual([
      ['event', 2],
      ['event', 3],
      ['event', 4],
      ['event', 5],
    ]);
    // A live duplicate of what history sent is dropped; the next one is sent.
    h.live(event(5));
    h.history.push(event(6), event(7, 'succeeded'));
    h.live(event(6));
    h.live(event(7, 'succeeded'), 'succeeded');
    await expect(done).resolves.toEqual({ reason: 'final', lastSeq: 7, status: 'succeeded' });
    expect(seqs(h.sent).slice(4)).toEqual([
      ['event', 6],
      ['event', 7],
      ['end', 7],
    ]);
    expect(h.listeners.size).toBe(0);
  });

  it('fills a gap in live events from history', async () => {
    const h = harness({ history: [event(1)] });
    const done = runTaskStream({
      ...h,
      principal,
      taskId: TASK_ID,
      afterSeq: 0,
      signal: new AbortController().signal,
    });
    await tick();
    h.history.push(event(2), event(3), event(4, 'cancelled'));
    h.live(event(4, 'cancelled'), 'cancelled');
    await expect(done).resolves.toMatchObject({ reason: 'final', lastSeq: 4 });
    expect(h.sent.map((message) => message.seq)).toEqual([1, 2, 3, 4, 4]);
  });

  it('does not lose a change published while history is read', async () => {
    const h = harness({ history: [event(1), event(2)] });
    const original = h.operations.taskEvents;
    let first = true;
    h.operations.taskEvents = async (p, id, after) => {
      const page = await original(p, id, after);
      if (first) {
        first = false;
        h.history.push(event(3, 'succeeded'));
        h.live(event(3, 'succeeded'), 'succeeded');
      }
      return page;
    };
    const outcome = await runTaskStream({
      ...h,
      principal,
      taskId: TASK_ID,
      afterSeq: 0,
      signal: new AbortController().signal,
    });
    expect(outcome).toMatchObject({ reason: 'final', lastSeq: 3 });
    expect(seqs(h.sent)).toEqual([
      ['event', 1],
      ['event', 2],
      ['event', 3],
      ['end', 3],
    ]);
  });

  it('ends at once for a final task with nothing after the resume point', async () => {
    const h = harness({ history: [event(1), event(2, 'succeeded')], status: 'succeeded' });
    const outcome = await runTaskStream({
      ...h,
      principal,
      taskId: TASK_ID,
      afterSeq: 2,
      signal: new AbortController().signal,
    });
    expect(outcome).toEqual({ reason: 'final', lastSeq: 2, status: 'succeeded' });
    expect(seqs(h.sent)).toEqual([['end', 2]]);
  });

  it('waits for the sink to drain while sending history', async () => {
    const h = harness({ history: [1, 2, 3, 4].map((seq) => event(seq)), congestedAfter: 2 });
    const done = runTaskStream({
      ...h,
      principal,
      taskId: TASK_ID,
      afterSeq: 0,
      signal: new AbortController().signal,
    });
    await tick();
    expect(h.sent).toHaveLength(2);
    expect(h.historyCalls).toEqual([0]);
    h.release();
    await tick();
    expect(h.sent.map((message) => message.seq)).toEqual([1, 2, 3, 4]);
    h.history.push(event(5, 'succeeded'));
    h.live(event(5, 'succeeded'), 'succeeded');
    await expect(done).resolves.toMatchObject({ reason: 'final', lastSeq: 5 });
  });

  it('gives up as slow when the sink is congested on a live event', async () => {
    const h = harness({ history: [event(1)], congestedAfter: 2 });
    const done = runTaskStream({
      ...h,
      principal,
      taskId: TASK_ID,
      afterSeq: 0,
      signal: new AbortController().signal,
    });
    await tick();
    h.history.push(event(2));
    h.live(event(2));
    await expect(done).resolves.toEqual({ reason: 'slow', lastSeq: 2 });
  });

  it('re-reads history when more live changes pile up than it holds', async () => {
    const h = harness({ history: [event(1)] });
    let releaseHistory!: () => void;
    const gate = new Promise<void>((resolve) => (releaseHistory = resolve));
    const original = h.operations.taskEvents;
    h.operations.taskEvents = async (p, id, after) => {
      await gate;
      return original(p, id, after);
    };
    const done = runTaskStream({
      ...h,
      principal,
      taskId: TASK_ID,
      afterSeq: 0,
      signal: new AbortController().signal,
      maxPendingLive: 3,
    });
    await tick();
    for (let seq = 2; seq <= 9; seq += 1) {
      h.history.push(event(seq, seq === 9 ? 'succeeded' : 'progress'));
      h.live(event(seq, seq === 9 ? 'succeeded' : 'progress'), seq === 9 ? 'succeeded' : 'running');
    }
    releaseHistory();
    await expect(done).resolves.toMatchObject({ reason: 'final', lastSeq: 9 });
    expect(h.sent.filter((message) => message.type === 'event').map((message) => message.seq)).toEqual([
      1, 2, 3, 4, 5, 6, 7, 8, 9,
    ]);
  });

  it('rejects for a task the principal cannot see and stops on abort', async () => {
    const h = harness({ history: [event(1)] });
    await expect(
      runTaskStream({ ...h, principal, taskId: 'other', afterSeq: 0, signal: new AbortController().signal }),
    ).rejects.toMatchObject({ code: 'TASK_NOT_FOUND' });
    expect(h.listeners.size).toBe(0);
    const abort = new AbortController();
    const done = runTaskStream({ ...h, principal, taskId: TASK_ID, afterSeq: 0, signal: abort.signal });
    await tick();
    abort.abort();
    await expect(done).resolves.toEqual({ reason: 'aborted', lastSeq: 1 });
  });
});
