import { TASK_PRIORITY_MAX, TASK_PRIORITY_MIN } from '@contextforge/contracts';

/**
 * A FIFO with O(1) amortised push and removal by marking. Compaction happens only in push, never
 * while a scan is iterating.
 */
class Fifo<T> {
  private items: (T | undefined)[] = [];
  private head = 0;
  size = 0;

  push(item: T): void {
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    this.items.push(item);
    this.size += 1;
  }

  unshift(item: T): void {
    if (this.head > 0) {
      this.head -= 1;
      this.items[this.head] = item;
    } else {
      this.items.unshift(item);
    }
    this.size += 1;
  }

  *entries(): Generator<[number, T]> {
    for (let index = this.head; index < this.items.length; index += 1) {
      const item = this.items[index];
      if (item !== undefined) yield [index, item];
    }
  }

  removeAt(index: number): void {
    if (this.items[index] === undefined) return;
    this.items[index] = undefined;
    this.size -= 1;
    while (this.head < this.items.length && this.items[this.head] === undefined) this.head += 1;
  }
}

/**
 * Tasks waiting for an agent: higher priority first, FIFO within a priority. `scan` visits them
 * in that order and lets the caller take the ones it can place, so a task that no agent can run
 * now does not block the tasks behind it.
 */
export class PriorityQueue<T> {
  private readonly buckets: Fifo<T>[] = [];

  constructor() {
    for (let priority = TASK_PRIORITY_MIN; priority <= TASK_PRIORITY_MAX; priority += 1) {
      this.buckets.push(new Fifo<T>());
    }
  }

  get size(): number {
    return this.buckets.reduce((sum, bucket) => sum + bucket.size, 0);
  }

  sizeByPriority(): number[] {
    return this.buckets.map((bucket) => bucket.size);
  }

  push(priority: number, item: T): void {
    this.bucket(priority).push(item);
  }

  /** Puts an item back at the head of its priority (a dispatch that bounced keeps its place). */
  pushFront(priority: number, item: T): void {
    this.bucket(priority).unshift(item);
  }

  /**
   * Visits items from the highest priority down. `visit` returns 'take' to remove the item,
   * 'skip' to leave it, or 'stop' to end the scan.
   */
  scan(visit: (item: T) => 'take' | 'skip' | 'stop'): void {
    for (let priority = TASK_PRIORITY_MAX; priority >= TASK_PRIORITY_MIN; priority -= 1) {
      const bucket = this.bucket(priority);
      for (const [index, item] of bucket.entries()) {
        const decision = visit(item);
        if (decision === 'take') bucket.removeAt(index);
        if (decision === 'stop') return;
      }
    }
  }

  remove(priority: number, predicate: (item: T) => boolean): boolean {
    const bucket = this.bucket(priority);
    for (const [index, item] of bucket.entries()) {
      if (predicate(item)) {
        bucket.removeAt(index);
        return true;
      }
    }
    return false;
  }

  private bucket(priority: number): Fifo<T> {
    const bucket = this.buckets[priority - TASK_PRIORITY_MIN];
    if (!bucket)
      throw new RangeError(`priority ${priority} is outside ${TASK_PRIORITY_MIN}-${TASK_PRIORITY_MAX}`);
    return bucket;
  }
}
