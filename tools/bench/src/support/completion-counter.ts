/**
 * Counts completions as they are reported (e.g. a BullMQ worker's `completed` events, Kafka
 * messages handled) and resolves waiters with the moment a count was reached, taken in the
 * handler that reached it, so the time a waiter takes to wake up is not measured.
 */
export class CompletionCounter {
  private count = 0;
  private readonly waiters: Array<{
    target: number;
    resolve: (atMs: number) => void;
    reject: (error: Error) => void;
  }> = [];

  get value(): number {
    return this.count;
  }

  add(amount = 1): void {
    this.count += amount;
    const now = performance.now();
    for (let index = this.waiters.length - 1; index >= 0; index -= 1) {
      const waiter = this.waiters[index] as (typeof this.waiters)[number];
      if (this.count >= waiter.target) {
        this.waiters.splice(index, 1);
        waiter.resolve(now);
      }
    }
  }

  /** Every waiter rejects (e.g. a job failed): a run with a failure has no figure. */
  fail(error: Error): void {
    for (const waiter of this.waiters.splice(0)) waiter.reject(error);
  }

  /**
   * Resolves with performance.now() at the completion that made the count reach `target`;
   * rejects after `timeoutMs`.
   */
  reach(target: number, timeoutMs: number, label: string): Promise<number> {
    if (this.count >= target) return Promise.resolve(performance.now());
    return new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => {
        const index = this.waiters.indexOf(waiter);
        if (index >= 0) this.waiters.splice(index, 1);
        reject(
          new Error(`timed out after ${timeoutMs} ms waiting for ${label} (${this.count} of ${target})`),
        );
      }, timeoutMs);
      const waiter = {
        target,
        resolve: (atMs: number) => {
          clearTimeout(timer);
          resolve(atMs);
        },
        reject: (error: Error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
      this.waiters.push(waiter);
    });
  }
}
