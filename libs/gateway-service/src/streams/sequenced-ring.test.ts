import { SequencedRing } from './sequenced-ring';

describe('SequencedRing', () => {
  it('numbers entries 1, 2, ... and replays those after a resume point', () => {
    const ring = new SequencedRing<string>();
    expect(ring.lastSeq).toBe(0);
    expect(ring.since(0)).toEqual([]);
    ['a', 'b', 'c'].forEach((value) => ring.append(value));
    expect(ring.lastSeq).toBe(3);
    expect(ring.since(0)?.map((entry) => [entry.seq, entry.data])).toEqual([
      [1, 'a'],
      [2, 'b'],
      [3, 'c'],
    ]);
    expect(ring.since(2)?.map((entry) => entry.data)).toEqual(['c']);
    expect(ring.since(3)).toEqual([]);
  });

  it('refuses resume points in the future or malformed', () => {
    const ring = new SequencedRing<string>();
    ring.append('a');
    expect(ring.since(2)).toBeUndefined();
    expect(ring.since(-1)).toBeUndefined();
    expect(ring.since(0.5)).toBeUndefined();
  });

  it('keeps at most maxEntries and refuses resume points before them', () => {
    const ring = new SequencedRing<number>({ maxEntries: 3 });
    for (let index = 1; index <= 10; index += 1) ring.append(index);
    expect(ring.size).toBe(3);
    expect(ring.since(7)?.map((entry) => entry.seq)).toEqual([8, 9, 10]);
    expect(ring.since(6)).toBeUndefined();
    expect(ring.since(9)?.map((entry) => entry.seq)).toEqual([10]);
  });

  it('drops entries older than maxAgeMs', () => {
    let now = 1_000;
    const ring = new SequencedRing<string>({ maxAgeMs: 100, now: () => now });
    ring.append('old');
    now += 60;
    ring.append('newer');
    now += 50;
    expect(ring.size).toBe(1);
    expect(ring.since(0)).toBeUndefined();
    expect(ring.since(1)?.map((entry) => entry.data)).toEqual(['newer']);
    now += 1_000;
    expect(ring.size).toBe(0);
    expect(ring.since(1)).toBeUndefined();
    expect(ring.since(2)).toEqual([]);
  });

  it('stays bounded over many appends', () => {
    const ring = new SequencedRing<number>({ maxEntries: 10 });
    for (let index = 1; index <= 50_000; index += 1) ring.append(index);
    expect(ring.size).toBe(10);
    expect(ring.since(49_990)?.map((entry) => entry.data)).toEqual(
      Array.from({ length: 10 }, (_, index) => 49_991 + index),
    );
  });
});
