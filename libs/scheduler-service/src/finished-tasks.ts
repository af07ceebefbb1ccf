/**
 * The tasks this scheduler finished recently (succeeded, cancelled or dead-lettered), with the
 * attempt they finished at, so that news of them arriving late is not mistaken for new work:
 * - a `tasks.submitted` message delivered again (the bus delivers at least once, and a new leader
 *   re-reads everything after the last committed offset);
 * - `adopt` from a result-store view that lags behind the bus (the store may still show a task
 *   this scheduler already saw succeed as queued or running);
 * - a re-drive control message delivered again after the re-driven attempt finished too.
 * Without it, the scheduler would track such a task afresh and dispatch an attempt number a
 * second time. Bounded: the oldest entries are forgotten first (delivery this late is far past
 * any redelivery window).
 */
export class FinishedTasks {
  private readonly attempts = new Map<string, number>();

  constructor(private readonly capacity = 100_000) {}

  add(taskId: string, attempt: number): void {
    this.attempts.delete(taskId);
    this.attempts.set(taskId, attempt);
    if (this.attempts.size > this.capacity) {
      const oldest = this.attempts.keys().next();
      if (!oldest.done) this.attempts.delete(oldest.value);
    }
  }

  /** True if the task finished here at `attempt` or later: an announcement of `attempt` is stale. */
  covers(taskId: string, attempt: number): boolean {
    const finishedAt = this.attempts.get(taskId);
    return finishedAt !== undefined && finishedAt >= attempt;
  }

  get size(): number {
    return this.attempts.size;
  }
}
