export interface StoredMessage {
  readonly key: string;
  /** The value as JSON text; parsed again for every delivery so consumers never share objects. */
  readonly json: string;
  readonly headers: Readonly<Record<string, string>>;
}

/**
 * An append-only log with absolute offsets whose oldest entries can be trimmed. Trimming moves a
 * head index and compacts the array only once the dead prefix is large and at least half of it,
 * so append, read and trim are amortised O(1) per message (no Array#shift).
 */
export class PartitionLog {
  private entries: StoredMessage[] = [];
  private head = 0;
  /** Offset of entries[0]. */
  private base = 0;

  /** Oldest retained offset. */
  get startOffset(): number {
    return this.base + this.head;
  }

  /** Offset the next appended message gets. */
  get endOffset(): number {
    return this.base + this.entries.length;
  }

  append(message: StoredMessage): number {
    this.entries.push(message);
    return this.endOffset - 1;
  }

  /** Messages with offsets in [from, to); `from` must be retained. */
  read(from: number, to: number): StoredMessage[] {
    if (from < this.startOffset)
      throw new RangeError(`offset ${from} was trimmed (start ${this.startOffset})`);
    return this.entries.slice(from - this.base, Math.min(to, this.endOffset) - this.base);
  }

  /** Forgets every message before `offset`. */
  trimTo(offset: number): void {
    const target = Math.min(offset, this.endOffset) - this.base;
    if (target <= this.head) return;
    this.head = target;
    if (this.head >= 1024 && this.head * 2 >= this.entries.length) {
      this.entries = this.entries.slice(this.head);
      this.base += this.head;
      this.head = 0;
    }
  }
}
