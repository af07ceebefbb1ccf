import type { ContextForgeClient } from '@contextforge/client';
import { waitFor } from '@contextforge/testing';
import { randomUUID } from 'node:crypto';
import { perSecond, quantile } from '../stats';
import { sendInBatches, type WorkloadSizes } from './workload-sizes';

/**
 * How a run learns that its tasks are done and when the last result was stored. The end of the
 * throughput window is the latest `finishedAt` the store recorded for the run's tasks (it is
 * stamped when the succeeded event is applied, in the transaction that stores the result), not
 * the moment a poll happened to notice: polling only tells us when to look, so its interval adds
 * no error to the figure and can be coarse enough not to load the system it measures.
 */
export interface CompletionProbe {
  /**
   * True when no task in the system is pending any more (queued, dispatched, running, or failed
   * and waiting for a retry). Asked only after every task of the run was accepted (a 202 means
   * the task is stored), so an empty queue then means the run is over.
   */
  settled(): Promise<boolean>;
  /** Of `taskIds`: how many are stored as succeeded, and the latest finishedAt (epoch ms). */
  stored(taskIds: readonly string[]): Promise<{ succeeded: number; lastFinishedAtMs: number }>;
  /** Pause between two settled() questions. */
  pollIntervalMs: number;
}

/**
 * Told when the measured throughput run begins (before its first submission) and when it is over
 * (once the probe finds every task settled), e.g. to read the processes' CPU time around it.
 * The warm-up and the latency samples fall outside.
 */
export interface ThroughputRunObserver {
  began(): void;
  settled(): void;
}

export interface GatewayWorkloadResult {
  /** Warm-up tasks per second on the fresh system, first submit -> all settled. */
  warmupPerSecond: number;
  /** Tasks accepted (202) per second, first submit -> last batch answered. */
  acceptedPerSecond: number;
  /** Tasks per second, first submit -> last result stored. */
  tasksPerSecond: number;
  /** Unloaded submit -> succeeded event on the task's WebSocket stream, one task at a time. */
  latencyMs: { p50: number; p99: number; samples: number };
}

/**
 * The no-op workload through the public API, the same for the embedded and the cluster mode:
 * a warm-up, `sizes.tasks` echo tasks through POST /tasks/batch with `sizes.inFlightBatches`
 * requests in flight, then `sizes.latencySamples` tasks one at a time on the idle system. Every
 * task has a distinct input (echo is cacheable: identical inputs would be answered from the
 * result cache without running).
 */
export async function runGatewayWorkload(
  client: ContextForgeClient,
  probe: CompletionProbe,
  sizes: WorkloadSizes,
  log: (line: string) => void,
  observer?: ThroughputRunObserver,
): Promise<GatewayWorkloadResult> {
  const run = randomUUID();
  const settleTimeoutMs = 60_000 + sizes.tasks * 30;

  const warmupStartedAtMs = Date.now();
  const warmup = await submitAll(client, { run, phase: 'warmup' }, sizes.warmupTasks, sizes);
  await waitFor(() => probe.settled(), {
    timeoutMs: 60_000 + sizes.warmupTasks * 60,
    intervalMs: probe.pollIntervalMs,
    label: `${warmup.length} warm-up tasks`,
  });
  // Settled is seen at the next poll: a cold-start figure with the poll interval as resolution.
  const warmupPerSecond = perSecond(warmup.length, Math.max(1, Date.now() - warmupStartedAtMs));
  await measureLatency(client, { run, phase: 'warmup-latency' }, Math.min(5, sizes.latencySamples));

  log(`  submitting ${sizes.tasks} echo tasks`);
  observer?.began();
  const startedAtMs = Date.now();
  const ids = await submitAll(client, { run, phase: 'throughput' }, sizes.tasks, sizes);
  const acceptedAtMs = Date.now();
  await waitFor(() => probe.settled(), {
    timeoutMs: settleTimeoutMs,
    intervalMs: probe.pollIntervalMs,
    label: `${sizes.tasks} echo tasks to finish`,
  });
  observer?.settled();
  const stored = await probe.stored(ids);
  if (stored.succeeded !== ids.length) {
    throw new Error(`only ${stored.succeeded} of ${ids.length} tasks are stored as succeeded`);
  }
  if (!(stored.lastFinishedAtMs > startedAtMs)) {
    throw new Error(`the last task finished at ${stored.lastFinishedAtMs}, before the run began`);
  }

  log(`  measuring unloaded latency over ${sizes.latencySamples} tasks`);
  const latencies = await measureLatency(client, { run, phase: 'latency' }, sizes.latencySamples);
  return {
    warmupPerSecond,
    acceptedPerSecond: perSecond(ids.length, Math.max(1, acceptedAtMs - startedAtMs)),
    tasksPerSecond: perSecond(ids.length, stored.lastFinishedAtMs - startedAtMs),
    latencyMs: { p50: quantile(latencies, 0.5), p99: quantile(latencies, 0.99), samples: latencies.length },
  };
}

interface RunTag {
  run: string;
  phase: string;
}

/** Submits `count` echo tasks in batches; resolves with their ids in submission order. */
async function submitAll(
  client: ContextForgeClient,
  tag: RunTag,
  count: number,
  sizes: WorkloadSizes,
): Promise<string[]> {
  const ids = new Array<string>(count);
  await sendInBatches(count, sizes, async (first, size) => {
    const items = Array.from({ length: size }, (_, index) => ({
      type: 'echo',
      input: { ...tag, n: first + index },
    }));
    for (const answer of await client.submitBatch(items)) {
      if (answer.fromCache || answer.replayed) {
        throw new Error(`task ${first + answer.index} was not run (fromCache or replayed)`);
      }
      ids[first + answer.index] = answer.taskId;
    }
  });
  return ids;
}

/**
 * Submit -> succeeded for `samples` tasks, one at a time: the clock starts before POST
 * /tasks/submit and stops when the succeeded event arrives on /tasks/stream/{id}, opened as soon
 * as the 202 names the task. The stream replays history first, so a task that finished before
 * the socket opened is still seen (then the socket's opening is part of the figure, as it is for
 * any client). No polling, so no granularity is added.
 */
async function measureLatency(client: ContextForgeClient, tag: RunTag, samples: number): Promise<number[]> {
  const latencies: number[] = [];
  for (let index = 0; index < samples; index += 1) {
    const started = performance.now();
    const { taskId } = await client.submitTask({ type: 'echo', input: { ...tag, n: index } });
    let finished: number | undefined;
    for await (const { event } of client.streamTask(taskId, { reconnect: false })) {
      if (event.type === 'succeeded') {
        finished = performance.now();
        break;
      }
      if (event.type === 'cancelled' || event.type === 'dead_lettered') {
        throw new Error(`latency task ${taskId} ended ${event.type}`);
      }
    }
    if (finished === undefined) throw new Error(`the stream of ${taskId} ended without a succeeded event`);
    latencies.push(finished - started);
  }
  return latencies;
}
