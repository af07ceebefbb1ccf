import type { AgentInstance, Discovery, WatchHandle } from '@contextforge/contracts';

interface Waiter {
  predicate: (agents: AgentInstance[]) => boolean;
  resolve: (agents: AgentInstance[]) => void;
  timer: NodeJS.Timeout;
}

/**
 * Records every list a Discovery watcher delivers and lets a test await the first delivery that
 * satisfies a predicate, bounded by a timeout, instead of sleeping. `until` resolves at once when
 * the latest delivery already satisfies it; `next` only accepts a delivery made after the call.
 */
export class DiscoveryWatchRecorder {
  readonly deliveries: AgentInstance[][] = [];
  private readonly waiters = new Set<Waiter>();
  private readonly handle: WatchHandle;

  constructor(discovery: Discovery) {
    this.handle = discovery.watch((agents) => {
      this.deliveries.push(agents);
      for (const waiter of [...this.waiters]) {
        if (waiter.predicate(agents)) {
          this.waiters.delete(waiter);
          waiter.resolve(agents);
        }
      }
    });
  }

  get latest(): AgentInstance[] | undefined {
    return this.deliveries.at(-1);
  }

  until(
    predicate: (agents: AgentInstance[]) => boolean,
    what: string,
    timeoutMs = 5_000,
  ): Promise<AgentInstance[]> {
    const latest = this.latest;
    if (latest && predicate(latest)) return Promise.resolve(latest);
    return this.next(predicate, what, timeoutMs);
  }

  next(
    predicate: (agents: AgentInstance[]) => boolean,
    what: string,
    timeoutMs = 5_000,
  ): Promise<AgentInstance[]> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        const last = JSON.stringify(this.latest ?? null);
        reject(new Error(`watcher did not deliver ${what} within ${timeoutMs} ms; last delivery: ${last}`));
      }, timeoutMs);
      const waiter: Waiter = {
        predicate,
        timer,
        resolve: (agents) => {
          clearTimeout(timer);
          resolve(agents);
        },
      };
      this.waiters.add(waiter);
    });
  }

  close(): void {
    this.handle.close();
    for (const waiter of this.waiters) clearTimeout(waiter.timer);
    this.waiters.clear();
  }
}
