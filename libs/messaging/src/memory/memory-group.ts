import type { BatchHandler } from '@contextforge/contracts';

/** One subscription: a member of a consumer group. */
export class MemoryMember {
  closed = false;
  readonly abort = new AbortController();
  /** Batches this member is handling; close() waits for them. */
  readonly running = new Set<Promise<void>>();

  constructor(
    readonly id: number,
    readonly handler: BatchHandler,
    readonly maxBatchSize: number,
  ) {}
}

/**
 * A consumer group on one topic: a committed offset per partition, the member that owns each
 * partition, and whether a batch of that partition is in flight (at most one, whoever owns it,
 * which keeps per-key order and stops two members handling one partition at once).
 */
export class MemoryGroup {
  readonly members: MemoryMember[] = [];
  readonly owners: (MemoryMember | undefined)[];
  readonly committed: number[];
  readonly busy: boolean[];
  readonly scheduled: boolean[];

  constructor(
    readonly name: string,
    startOffsets: readonly number[],
  ) {
    this.committed = [...startOffsets];
    this.owners = startOffsets.map(() => undefined);
    this.busy = startOffsets.map(() => false);
    this.scheduled = startOffsets.map(() => false);
  }

  join(member: MemoryMember): void {
    this.members.push(member);
    this.rebalance();
  }

  leave(member: MemoryMember): void {
    const index = this.members.indexOf(member);
    if (index >= 0) this.members.splice(index, 1);
    this.rebalance();
  }

  /**
   * Round-robin in join order. A partition whose batch is in flight keeps that batch with its old
   * member; the new owner gets the partition's next batch once that one is finished.
   */
  private rebalance(): void {
    for (let partition = 0; partition < this.owners.length; partition += 1) {
      this.owners[partition] = this.members[partition % Math.max(1, this.members.length)];
    }
  }
}
