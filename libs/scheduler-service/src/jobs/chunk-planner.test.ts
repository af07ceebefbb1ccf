import fc from 'fast-check';
import { planChunks } from './chunk-planner';

const file = (path: string, bytes: number) => ({ path, bytes });

describe('planChunks', () => {
  it('makes ceil(total / chunkBytes) chunks and balances them largest file first', () => {
    const files = [file('a', 50), file('b', 40), file('c', 30), file('d', 20), file('e', 10), file('f', 10)];
    const chunks = planChunks(files, 60);
    // total 160 -> 3 chunks: a(50) | b(40) | c(30); then d(20) -> c, e(10) -> b, f(10) -> a.
    expect(chunks).toEqual([
      { index: 0, files: ['a', 'f'], bytes: 60 },
      { index: 1, files: ['b', 'e'], bytes: 50 },
      { index: 2, files: ['c', 'd'], bytes: 50 },
    ]);
  });

  it('makes one chunk when everything fits, none for no files, and never more chunks than files', () => {
    expect(planChunks([file('x', 5), file('y', 7)], 1_000_000)).toEqual([
      { index: 0, files: ['x', 'y'], bytes: 12 },
    ]);
    expect(planChunks([], 10)).toEqual([]);
    expect(planChunks([file('big', 1000)], 1)).toHaveLength(1);
    expect(planChunks([file('empty-1', 0), file('empty-2', 0)], 10)).toHaveLength(1);
    // Empty files fill empty chunks first: no chunk is left without a file.
    expect(planChunks([file('a', 5), file('b', 0), file('c', 0)], 1).map((chunk) => chunk.files)).toEqual([
      ['a'],
      ['b'],
      ['c'],
    ]);
  });

  it('rejects a chunk size that is not a positive integer', () => {
    expect(() => planChunks([file('a', 1)], 0)).toThrow(RangeError);
    expect(() => planChunks([file('a', 1)], 1.5)).toThrow(RangeError);
  });

  const fileLists = fc
    .uniqueArray(fc.record({ path: fc.string({ minLength: 1, maxLength: 12 }), bytes: fc.nat(5000) }), {
      selector: (entry) => entry.path,
      maxLength: 200,
    })
    .filter((files) => files.length > 0);

  it('puts every file in exactly one chunk, with chunk sizes that add up (property)', () => {
    fc.assert(
      fc.property(fileLists, fc.integer({ min: 1, max: 20_000 }), (files, chunkBytes) => {
        const chunks = planChunks(files, chunkBytes);
        const placed = chunks.flatMap((chunk) => chunk.files);
        expect(placed.slice().sort()).toEqual(files.map((entry) => entry.path).sort());
        expect(new Set(placed).size).toBe(placed.length);
        const sizes = new Map(files.map((entry) => [entry.path, entry.bytes]));
        for (const chunk of chunks) {
          expect(chunk.bytes).toBe(chunk.files.reduce((sum, path) => sum + (sizes.get(path) ?? 0), 0));
          expect(chunk.files.length).toBeGreaterThan(0);
        }
        expect(chunks.map((chunk) => chunk.index)).toEqual(chunks.map((_, index) => index));
      }),
    );
  });

  it('balances: no chunk exceeds the average by more than the largest file (property)', () => {
    fc.assert(
      fc.property(fileLists, fc.integer({ min: 1, max: 20_000 }), (files, chunkBytes) => {
        const chunks = planChunks(files, chunkBytes);
        const total = files.reduce((sum, entry) => sum + entry.bytes, 0);
        const largest = Math.max(...files.map((entry) => entry.bytes));
        const average = total / chunks.length;
        for (const chunk of chunks) expect(chunk.bytes).toBeLessThanOrEqual(average + largest);
      }),
    );
  });

  it('is deterministic: the same plan whatever the order the files are listed in (property)', () => {
    fc.assert(
      fc.property(fileLists, fc.integer({ min: 1, max: 20_000 }), (files, chunkBytes) => {
        const reversed = [...files].reverse();
        expect(planChunks(reversed, chunkBytes)).toEqual(planChunks(files, chunkBytes));
      }),
    );
  });
});
