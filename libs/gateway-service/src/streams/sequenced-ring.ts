/** One retained entry of a SequencedRing. */
export interface Sequenced<T> {
  seq: number;
  at: number;
  data: T;
}

export interface SequencedRingOptions {
  /** Most entries kept (default 1000). */
  maxEntries?: number;
  /** Entries older than this are dropped (default 5 minutes). */
  maxAgeMs?: number;
  /** Clock for ages (tests pass a fake one). */
  now?: () => number;
}

/**
 * A per-stream sequence counter with a bounded replay buffer: the retention window of the agents
 * and metrics streams. Seqs start at 1 and are contiguous; the buffer holds the newest entries
 * within both bounds, so memory is bounded whatever the event rate.
 */
export class SequencedRing<T> {
  private readonly maxEntries: number;
  private readonly maxAgeMs: number;
  private readonly now: () => number;
  private entries: Sequenced<T>[] = [];
  private head = 0;
  private last = 0;

  constructor(options: SequencedRingOptions = {}) {
    this.maxEntries = options.maxEntries ?? 1000;
    this.maxAgeMs = options.maxAgeMs ?? 5 * 60_000;
    this.now = options.now ?? Date.now;
    if (!Number.isInteger(this.maxEntries) || this.maxEntries < 1) {
      throw new RangeError(`maxEntries must be a positive integer, got ${this.maxEntries}`);
    }
  }

  /** The seq of the newest entry (0 before the first). */
  get lastSeq(): number {
    return this.last;
  }

  /** Entries currently retained. */
  get size(): number {
    this.expire();
    return this.entries.length - this.head;
  }

  append(data: T): Sequenced<T> {
    this.last += 1;
    const entry = { seq: this.last, at: this.now(), data };
    this.entries.push(entry);
    if (this.entries.length - this.head > this.maxEntries) this.head += 1;
    this.expire();
    return entry;
  }

  /**
   * The entries after `after`, oldest first, or undefined when that resume point cannot be
   * honoured: some entry after it was dropped already, or it lies in the future.
   */
  since(after: number): Sequenced<T>[] | undefined {
    this.expire();
    if (!Number.isInteger(after) || after < 0 || after > this.last) return undefined;
    if (after === this.last) return [];
    const oldest = this.entries[this.head]?.seq;
    if (oldest === undefined || after + 1 < oldest) return undefined;
    return this.entries.slice(this.head + (after + 1 - oldest));
  }

  private expire(): void {
    const cutoff = this.now() - this.maxAgeMs;
    while (this.head < this.entries.length && (this.entries[this.head] as Sequenced<T>).at < cutoff) {
      this.head += 1;
    }
    if (this.head >= 1024 && this.head * 2 >= this.entries.length) {
      this.entries = this.entries.slice(this.head);
      this.head = 0;
    }
  }
}
