import type { ScannedFile } from '@contextforge/contracts';

export interface PlannedChunk {
  /** 0-based; part of the chunk task's idempotency key, so the plan must be deterministic. */
  index: number;
  /** Paths, sorted. */
  files: string[];
  bytes: number;
}

/**
 * Splits files into K = ceil(total bytes / chunkBytes) chunks of balanced size (at most one per
 * file, at least one when there are files): largest file first, each into the currently lightest
 * chunk (ties: the one with fewer files, so that no chunk stays empty, then the lowest index). This greedy "longest processing time" rule keeps every chunk
 * within the largest file of the average. The result depends only on the inputs (files are
 * ordered by size, then path), so a coordinator that re-plans after a restart gets the same chunks.
 */
export function planChunks(files: readonly ScannedFile[], chunkBytes: number): PlannedChunk[] {
  if (!Number.isInteger(chunkBytes) || chunkBytes < 1) {
    throw new RangeError(`chunkBytes must be a positive integer, got ${chunkBytes}`);
  }
  if (files.length === 0) return [];
  const total = files.reduce((sum, file) => sum + file.bytes, 0);
  const count = Math.min(files.length, Math.max(1, Math.ceil(total / chunkBytes)));
  const bins = new BinHeap(count);
  const chunks: PlannedChunk[] = Array.from({ length: count }, (_, index) => ({
    index,
    files: [],
    bytes: 0,
  }));
  const ordered = [...files].sort(
    (a, b) => b.bytes - a.bytes || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0),
  );
  for (const file of ordered) {
    const chunk = chunks[bins.takeLightest(file.bytes)] as PlannedChunk;
    chunk.files.push(file.path);
    chunk.bytes += file.bytes;
  }
  for (const chunk of chunks) chunk.files.sort();
  return chunks;
}

/** A binary min-heap of bins by (bytes, files, index). */
class BinHeap {
  private readonly bytes: number[];
  private readonly files: number[];
  private readonly heap: number[];

  constructor(count: number) {
    this.bytes = new Array<number>(count).fill(0);
    this.files = new Array<number>(count).fill(0);
    this.heap = Array.from({ length: count }, (_, index) => index);
  }

  /** Adds `bytes` to the lightest bin and returns its index. */
  takeLightest(bytes: number): number {
    const bin = this.heap[0] as number;
    this.bytes[bin] = (this.bytes[bin] as number) + bytes;
    this.files[bin] = (this.files[bin] as number) + 1;
    this.siftDown(0);
    return bin;
  }

  private less(a: number, b: number): boolean {
    const binA = this.heap[a] as number;
    const binB = this.heap[b] as number;
    const bytesA = this.bytes[binA] as number;
    const bytesB = this.bytes[binB] as number;
    if (bytesA !== bytesB) return bytesA < bytesB;
    const filesA = this.files[binA] as number;
    const filesB = this.files[binB] as number;
    return filesA < filesB || (filesA === filesB && binA < binB);
  }

  private siftDown(start: number): void {
    let at = start;
    for (;;) {
      const left = 2 * at + 1;
      const right = left + 1;
      let smallest = at;
      if (left < this.heap.length && this.less(left, smallest)) smallest = left;
      if (right < this.heap.length && this.less(right, smallest)) smallest = right;
      if (smallest === at) return;
      [this.heap[at], this.heap[smallest]] = [this.heap[smallest] as number, this.heap[at] as number];
      at = smallest;
    }
  }
}
