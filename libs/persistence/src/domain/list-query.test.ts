import { compareNewestFirst, decodeCursor, encodeCursor, resolveListQuery, toPage } from './list-query';

describe('resolveListQuery', () => {
  it('defaults the limit to 50 and has no position without a cursor', () => {
    expect(resolveListQuery({})).toEqual({ limit: 50 });
  });

  it('decodes the position of a cursor it issued', () => {
    const cursor = encodeCursor({ createdAt: '2030-01-01T00:00:00.123Z', id: 'b' });
    expect(resolveListQuery({ limit: 5, cursor })).toEqual({
      limit: 5,
      after: { createdAt: '2030-01-01T00:00:00.123Z', id: 'b' },
    });
  });

  it.each([0, -1, 1.5, 1001, Number.NaN])('rejects limit %p', (limit) => {
    expect(() => resolveListQuery({ limit })).toThrow(expect.objectContaining({ code: 'VALIDATION_FAILED' }));
  });

  it.each([
    'garbage!',
    Buffer.from('{"a":1}').toString('base64url'),
    Buffer.from('["not a date","x"]').toString('base64url'),
    Buffer.from('["2030-01-01T00:00:00.000Z"]').toString('base64url'),
  ])('rejects cursor %p', (cursor) => {
    expect(() => decodeCursor(cursor)).toThrow(expect.objectContaining({ code: 'VALIDATION_FAILED' }));
  });
});

describe('compareNewestFirst', () => {
  it('orders newest first, then by id descending', () => {
    const rows = [
      { createdAt: '2030-01-01T00:00:00.000Z', id: 'a' },
      { createdAt: '2030-01-02T00:00:00.000Z', id: 'a' },
      { createdAt: '2030-01-01T00:00:00.000Z', id: 'c' },
    ];
    expect([...rows].sort(compareNewestFirst)).toEqual([rows[1], rows[2], rows[0]]);
  });
});

describe('toPage', () => {
  const rows = [1, 2, 3].map((n) => ({ createdAt: `2030-01-0${4 - n}T00:00:00.000Z`, id: `t${n}` }));

  it('returns a cursor at the last row when there is more', () => {
    const page = toPage(rows, 2);
    expect(page.tasks).toEqual(rows.slice(0, 2));
    expect(decodeCursor(page.nextCursor ?? '')).toEqual(rows[1]);
  });

  it('returns no cursor when the rows fit', () => {
    expect(toPage(rows, 3)).toEqual({ tasks: rows });
  });
});
