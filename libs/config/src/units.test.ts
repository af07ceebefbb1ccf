import { parseDuration, parseRate, parseSize } from './units';

describe('parseDuration', () => {
  it.each([
    ['100ms', 100],
    ['5s', 5_000],
    ['10m', 600_000],
    ['24h', 86_400_000],
    ['1d', 86_400_000],
    ['1h30m', 5_400_000],
    ['1.5s', 1_500],
    [' 5s ', 5_000],
    ['250', 250],
    [0, 0],
    [1234, 1234],
    [2.6, 3],
  ])('reads %p as %p ms', (input, expected) => {
    expect(parseDuration(input)).toBe(expected);
  });

  it.each([
    [''],
    ['5 seconds'],
    ['-5s'],
    ['5x'],
    ['s'],
    ['1h30'],
    [-1],
    [Number.NaN],
    [Infinity],
    [true],
    [null],
    [[5]],
  ])('rejects %p', (input) => {
    expect(parseDuration(input)).toBeUndefined();
  });
});

describe('parseSize', () => {
  it.each([
    ['100MB', 100_000_000],
    ['1KiB', 1024],
    ['1kib', 1024],
    ['8Gi', 8 * 2 ** 30],
    ['1GB', 1e9],
    ['2 MiB', 2 * 2 ** 20],
    ['512', 512],
    ['512B', 512],
    ['1.5KB', 1500],
    [4096, 4096],
  ])('reads %p as %p bytes', (input, expected) => {
    expect(parseSize(input)).toBe(expected);
  });

  it.each([['100XB'], ['MB'], ['-1MB'], [''], [-5], [false], [{}]])('rejects %p', (input) => {
    expect(parseSize(input)).toBeUndefined();
  });
});

describe('parseRate', () => {
  it.each([
    ['100/min', { limit: 100, windowMs: 60_000 }],
    ['10/s', { limit: 10, windowMs: 1_000 }],
    ['1000/hour', { limit: 1000, windowMs: 3_600_000 }],
    ['5/minutes', { limit: 5, windowMs: 60_000 }],
    ['500/30s', { limit: 500, windowMs: 30_000 }],
    [' 7 / day ', { limit: 7, windowMs: 86_400_000 }],
  ])('reads %p', (input, expected) => {
    expect(parseRate(input)).toEqual(expected);
  });

  it.each([
    ['100'],
    ['0/min'],
    ['-1/min'],
    ['1.5/min'],
    ['100/fortnight'],
    ['100/0s'],
    ['100/5'],
    [100],
    [null],
  ])('rejects %p', (input) => {
    expect(parseRate(input)).toBeUndefined();
  });
});
