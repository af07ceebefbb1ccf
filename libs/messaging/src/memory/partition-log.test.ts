import { PartitionLog } from './partition-log';

const message = (index: number) => ({ key: `k${index}`, json: String(index), headers: {} });

describe('PartitionLog', () => {
  it('gives absolute offsets and reads ranges', () => {
    const log = new PartitionLog();
    for (let index = 0; index < 5; index += 1) expect(log.append(message(index))).toBe(index);
    expect(log.read(1, 3).map((entry) => entry.json)).toEqual(['1', '2']);
    expect(log.read(3, 100).map((entry) => entry.json)).toEqual(['3', '4']);
    expect(log.endOffset).toBe(5);
  });

  it('keeps offsets across trimming and compaction, and refuses to read trimmed offsets', () => {
    const log = new PartitionLog();
    for (let index = 0; index < 5_000; index += 1) log.append(message(index));
    log.trimTo(3_000);
    expect(log.startOffset).toBe(3_000);
    expect(log.read(3_000, 3_002).map((entry) => entry.json)).toEqual(['3000', '3001']);
    expect(() => log.read(2_999, 3_000)).toThrow(RangeError);
    log.trimTo(10);
    expect(log.startOffset).toBe(3_000);
    expect(log.append(message(5_000))).toBe(5_000);
    log.trimTo(10_000);
    expect(log.startOffset).toBe(5_001);
    expect(log.read(5_001, 6_000)).toEqual([]);
  });
});
