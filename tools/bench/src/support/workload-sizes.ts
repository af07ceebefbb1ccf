/** The shape of the no-op workload, the same for ContextForge (embedded, cluster) and BullMQ. */
export interface WorkloadSizes {
  /** Tasks (jobs, messages) in the measured throughput run. */
  tasks: number;
  /** Tasks per submission request (POST /tasks/batch, addBulk, one produce call). */
  batchSize: number;
  /** Submission requests in flight at once. */
  inFlightBatches: number;
  /** Tasks run (and waited for) before the measurement, so start-up work is not measured. */
  warmupTasks: number;
  /** Tasks sent one at a time, on an idle system, for the latency percentiles. */
  latencySamples: number;
}

/**
 * 20,000 tasks in batches of 500 (half the gateway's limit of MAX_BATCH_TASKS = 1,000, so one
 * batch is one ~40 KB request) with 4 in flight, so the system always has the next batch while
 * it stores one. The smoke run uses tiny sizes: it only proves the harness works.
 */
export function workloadSizes(smoke: boolean): WorkloadSizes {
  return smoke
    ? { tasks: 200, batchSize: 50, inFlightBatches: 2, warmupTasks: 20, latencySamples: 20 }
    : { tasks: 20_000, batchSize: 500, inFlightBatches: 4, warmupTasks: 500, latencySamples: 200 };
}

/**
 * Sends `count` items as batches of `sizes.batchSize`, `sizes.inFlightBatches` at a time, in
 * order of their first index: `send(first, size)` sends items first .. first + size - 1.
 */
export async function sendInBatches(
  count: number,
  sizes: WorkloadSizes,
  send: (first: number, size: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const sender = async (): Promise<void> => {
    while (next < count) {
      const first = next;
      const size = Math.min(sizes.batchSize, count - first);
      next += size;
      await send(first, size);
    }
  };
  await Promise.all(Array.from({ length: sizes.inFlightBatches }, sender));
}
