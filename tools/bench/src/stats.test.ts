import { median, perSecond, quantile } from './stats';

describe('median', () => {
  it('takes the middle value of an odd count and the mean of the middle two of an even one', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([7])).toBe(7);
    expect(median([])).toBeNaN();
  });
});

describe('quantile', () => {
  const hundred = Array.from({ length: 100 }, (_, index) => 100 - index);

  it('uses the nearest rank', () => {
    expect(quantile(hundred, 0.5)).toBe(50);
    expect(quantile(hundred, 0.99)).toBe(99);
    expect(quantile(hundred, 1)).toBe(100);
    expect(quantile(hundred, 0)).toBe(1);
    expect(quantile([5, 1], 0.99)).toBe(5);
  });

  it('refuses a fraction outside 0..1 and answers NaN for no values', () => {
    expect(() => quantile([1], 1.5)).toThrow(RangeError);
    expect(quantile([], 0.5)).toBeNaN();
  });
});

describe('perSecond', () => {
  it('divides by the elapsed seconds and refuses no elapsed time', () => {
    expect(perSecond(500, 250)).toBe(2000);
    expect(() => perSecond(1, 0)).toThrow(RangeError);
  });
});
