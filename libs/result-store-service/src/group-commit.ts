/**
 * Group commit: calls made while a write is under way wait for it to end and then share the next
 * write, as databases do with their log. The result-store's consumer hands it one partition's
 * batch at a time, and the partitions it owns arrive side by side; under load several of those
 * batches (a few events each, as the broker delivers them) then go in one transaction instead of
 * one each, which is what bounded the cluster (each transaction is a few round trips whatever its
 * size).
 *
 * A shared write that fails is tried again once per call, alone, so each call gets its own
 * outcome or error (one batch's trouble never fails another's). Order: parts are written in the
 * order they were handed in; a call resolves only after the write holding its part committed.
 */
interface Part<In, Out> {
  items: readonly In[];
  resolve: (out: Out[]) => void;
  reject: (error: unknown) => void;
}

export class GroupCommit<In, Out> {
  private queue: Array<Part<In, Out>> = [];
  private writing = false;

  constructor(private readonly write: (items: readonly In[]) => Promise<Out[]>) {}

  run(items: readonly In[]): Promise<Out[]> {
    if (items.length === 0) return Promise.resolve([]);
    return new Promise<Out[]>((resolve, reject) => {
      this.queue.push({ items, resolve, reject });
      if (!this.writing) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.writing = true;
    try {
      while (this.queue.length > 0) {
        const parts = this.queue;
        this.queue = [];
        const [only] = parts;
        if (only && parts.length === 1) {
          await this.write(only.items).then(only.resolve, only.reject);
          continue;
        }
        try {
          const outs = await this.write(parts.flatMap((part) => part.items));
          let offset = 0;
          for (const part of parts) {
            part.resolve(outs.slice(offset, offset + part.items.length));
            offset += part.items.length;
          }
        } catch {
          for (const part of parts) await this.write(part.items).then(part.resolve, part.reject);
        }
      }
    } finally {
      this.writing = false;
    }
  }
}
