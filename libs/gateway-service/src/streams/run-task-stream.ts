import type { Principal, TaskChangedMessage, TaskStatus, TaskStreamEvent } from '@contextforge/contracts';
import { isFinalStatus } from '@contextforge/contracts';
import type { GatewayOperations } from '../operations';
import type { StreamMessage } from './stream-message';

/** Where a stream writes, with its back-pressure signal (a WebSocket or a gRPC call). */
export interface StreamSink {
  send(message: StreamMessage): void;
  /** True while the peer has more unsent data queued than the high-water mark allows. */
  congested(): boolean;
  /** Resolves once the queued data fell below the high-water mark, or the peer went away. */
  drained(): Promise<void>;
}

export interface RunTaskStreamOptions {
  operations: Pick<GatewayOperations, 'getTask' | 'taskEvents'>;
  principal: Principal;
  taskId: string;
  /** Resume point: only events with a larger seq are sent (0 = from the start). */
  afterSeq: number;
  /** Registers a live listener for the task's changes; returns its removal. */
  watch(taskId: string, listener: (message: TaskChangedMessage) => void): () => void;
  sink: StreamSink;
  signal: AbortSignal;
  /** Live changes held while history is being sent (default 1000); beyond that, history is re-read. */
  maxPendingLive?: number;
}

export type TaskStreamOutcome =
  /** The task is final and its last event was sent, then an `end` message. */
  | { reason: 'final'; lastSeq: number; status: TaskStatus }
  /** The peer fell behind on live events: close, it resumes after `lastSeq`. */
  | { reason: 'slow'; lastSeq: number }
  | { reason: 'aborted'; lastSeq: number };

const FINAL_EVENT_TYPES: ReadonlySet<string> = new Set(['succeeded', 'cancelled', 'dead_lettered']);

/**
 * One task stream, the same for WebSocket and gRPC: every applied event of the task with
 * seq > afterSeq, in seq order, each once, ending after the event that made the task final.
 *
 * Live changes are watched BEFORE history is read, so nothing published meanwhile is missed;
 * those that history already covered are dropped as duplicates. A live seq that jumps (a change
 * this replica did not see, or pending changes dropped because history took long) is filled from
 * history. While history is sent the sink's back-pressure pauses reading; on live events a
 * congested sink ends the stream as `slow` (the client resumes after the last seq it got).
 *
 * Authorization: getTask (another client's task answers TASK_NOT_FOUND) before anything is sent;
 * errors of the operations reject the returned promise.
 */
export async function runTaskStream(options: RunTaskStreamOptions): Promise<TaskStreamOutcome> {
  const { operations, principal, taskId, sink, signal } = options;
  const maxPending = options.maxPendingLive ?? 1000;
  let pending: TaskChangedMessage[] = [];
  let overflowed = false;
  let wake: (() => void) | undefined;
  const unwatch = options.watch(taskId, (message) => {
    if (pending.length >= maxPending) {
      pending = [];
      overflowed = true;
    } else {
      pending.push(message);
    }
    wake?.();
  });
  const onAbort = (): void => wake?.();
  signal.addEventListener('abort', onAbort);

  let last = options.afterSeq;
  let finalStatus: TaskStatus | undefined;
  const send = (event: TaskStreamEvent, status?: TaskStatus): void => {
    sink.send({ type: 'event', seq: event.seq, data: { seq: event.seq, event: event.event } });
    last = event.seq;
    const final = status ? isFinalStatus(status) : FINAL_EVENT_TYPES.has(event.event.type);
    finalStatus = final ? (status ?? (event.event.type as TaskStatus)) : undefined;
  };

  /** Sends history after `last` until caught up; false if the sink got congested in live mode. */
  const catchUp = async (live: boolean): Promise<boolean> => {
    for (;;) {
      const page = await operations.taskEvents(principal, taskId, last);
      const fresh = page.filter((event) => event.seq > last);
      if (fresh.length === 0) return true;
      for (const event of fresh) {
        if (signal.aborted) return true;
        send(event);
        if (sink.congested()) {
          if (live) return false;
          await sink.drained();
        }
      }
    }
  };

  try {
    const task = await operations.getTask(principal, taskId);
    await catchUp(false);
    if (finalStatus === undefined && isFinalStatus(task.status) && last >= task.eventSeq) {
      finalStatus = task.status;
    }
    while (finalStatus === undefined) {
      if (signal.aborted) return { reason: 'aborted', lastSeq: last };
      if (overflowed) {
        overflowed = false;
        pending = [];
        if (!(await catchUp(true))) return { reason: 'slow', lastSeq: last };
        continue;
      }
      const next = pending.shift();
      if (!next) {
        await new Promise<void>((resolve) => (wake = resolve));
        wake = undefined;
        continue;
      }
      if (next.seq <= last) continue;
      if (next.seq > last + 1) {
        pending.unshift(next);
        if (!(await catchUp(true))) return { reason: 'slow', lastSeq: last };
        // History is committed before a change is published, so it covers `next` now; if not
        // (it should not happen), send it rather than wait forever.
        if (pending[0] === next && next.seq > last) {
          pending.shift();
          send(next, next.task.status);
        }
        continue;
      }
      send(next, next.task.status);
      if (sink.congested()) return { reason: 'slow', lastSeq: last };
    }
    if (signal.aborted) return { reason: 'aborted', lastSeq: last };
    sink.send({ type: 'end', seq: last, data: { taskId, status: finalStatus } });
    return { reason: 'final', lastSeq: last, status: finalStatus };
  } finally {
    unwatch();
    signal.removeEventListener('abort', onAbort);
  }
}
