import {
  nextSearchCursor,
  queryTerms,
  searchOffset,
  symbolsOfOutput,
  toTsQuery,
  wordsOf,
} from './symbol-index';

describe('wordsOf', () => {
  it.each([
    ['getUserName', ['get', 'user', 'name']],
    ['parse_config_file', ['parse', 'config', 'file']],
    ['kebab-case-name', ['kebab', 'case', 'name']],
    ['parseHTTPResponse2', ['parse', 'http', 'response', '2']],
    ['HTTPServer', ['http', 'server']],
    ['src/users/user.service.ts', ['src', 'users', 'user', 'service', 'ts']],
    ['  !!  ', []],
  ])('%s -> %j', (text, words) => {
    expect(wordsOf(text)).toEqual(words);
  });
});

describe('queries', () => {
  it('makes every term required and the last a prefix', () => {
    expect(toTsQuery(queryTerms('getUser name'))).toBe('get & user & name:*');
  });

  it('round-trips the cursor and rejects others', () => {
    const cursor = nextSearchCursor(0, 20) ?? '';
    expect(searchOffset({ text: 'x', limit: 20, cursor })).toBe(20);
    expect(() => searchOffset({ text: 'x', limit: 20, cursor: 'abc' })).toThrow(/cursor/);
  });
});

describe('symbolsOfOutput', () => {
  it('keeps valid symbols with their ordinal and words', () => {
    const symbol = {
      kind: 'class',
      name: 'UserStore',
      file: 'src/user-store.ts',
      startLine: 1,
      endLine: 9,
      signature: 'class UserStore',
      language: 'typescript',
    };
    const [indexed, ...rest] = symbolsOfOutput('t', 'c', { symbols: [{ name: 'bad' }, symbol] });
    expect(rest).toEqual([]);
    expect(indexed).toMatchObject({ ordinal: 1, symbol, nameWords: 'user store userstore' });
    expect(indexed?.pathWords).toBe('src user store ts userstorets');
    expect(symbolsOfOutput('t', 'c', null)).toEqual([]);
    expect(symbolsOfOutput('t', 'c', [symbol])).toEqual([]);
  });
});
