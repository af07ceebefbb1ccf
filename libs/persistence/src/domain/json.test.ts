import { sameJson, toJsonValue } from './json';

describe('toJsonValue', () => {
  it('gives what a JSON column would give back', () => {
    expect(toJsonValue(undefined)).toBeNull();
    expect(toJsonValue({ a: undefined, b: new Date('2030-01-01T00:00:00.000Z'), c: [undefined] })).toEqual({
      b: '2030-01-01T00:00:00.000Z',
      c: [null],
    });
  });
});

describe('sameJson', () => {
  it('ignores key order but not values, array order or types', () => {
    expect(sameJson({ a: 1, b: { c: [1, 2] } }, { b: { c: [1, 2] }, a: 1 })).toBe(true);
    expect(sameJson({ a: 1 }, { a: 2 })).toBe(false);
    expect(sameJson([1, 2], [2, 1])).toBe(false);
    expect(sameJson({ a: 1 }, { a: 1, b: null })).toBe(false);
    expect(sameJson('1', 1)).toBe(false);
    expect(sameJson(null, {})).toBe(false);
    expect(sameJson([], {})).toBe(false);
  });
});
