import { formatFields, formatTable } from './table';

describe('formatTable', () => {
  it('pads columns to their widest cell, right-aligns numbers and trims trailing blanks', () => {
    const text = formatTable(
      [
        { name: 'alpha', count: 5, note: undefined },
        { name: 'b', count: 1234, note: 'x' },
      ],
      [
        { header: 'NAME', value: (row) => row.name },
        { header: 'COUNT', value: (row) => row.count, align: 'right' },
        { header: 'NOTE', value: (row) => row.note },
      ],
    );
    expect(text).toBe(['NAME   COUNT  NOTE', 'alpha      5  -', 'b       1234  x', ''].join('\n'));
  });

  it('cuts long cells and flattens line breaks', () => {
    const text = formatTable(
      [{ value: 'one\ntwo three four' }],
      [{ header: 'V', value: (row) => row.value, maxWidth: 8 }],
    );
    expect(text).toBe('V\none two…\n');
  });
});

describe('formatFields', () => {
  it('aligns keys and leaves out empty values', () => {
    expect(
      formatFields([
        ['id', 'a'],
        ['status', 'queued'],
        ['agent', undefined],
      ]),
    ).toBe('id:     a\nstatus: queued\n');
  });
});
