import { parseGoDuration } from './go-duration';

describe('parseGoDuration', () => {
  it.each([
    ['10s', 10_000],
    ['1m30s', 90_000],
    ['250ms', 250],
    ['1.5h', 5_400_000],
    ['600000ms', 600_000],
    ['500us', 0.5],
    ['0', 0],
    ['-2s', -2_000],
  ])('reads %s as %d ms', (text, ms) => {
    expect(parseGoDuration(text)).toBeCloseTo(ms);
  });

  it('reads a JSON number as nanoseconds, as Go does', () => {
    expect(parseGoDuration(30_000_000_000)).toBe(30_000);
  });

  it.each(['', '10', 's', '10 s', '1d', 'abc'])('rejects %p', (text) => {
    expect(parseGoDuration(text)).toBeUndefined();
  });
});
