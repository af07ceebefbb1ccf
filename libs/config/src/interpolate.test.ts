import { interpolateString, interpolateTree } from './interpolate';

describe('interpolateString', () => {
  const env = { HOST: 'db.internal', EMPTY: '', PORT: '5432' };

  it('replaces ${VAR} with its value, several times in one string', () => {
    expect(interpolateString('postgres://${HOST}:${PORT}/app', env)).toEqual({
      ok: true,
      value: 'postgres://db.internal:5432/app',
    });
  });

  it('uses the default for an unset or empty variable, and the value otherwise', () => {
    expect(interpolateString('${MISSING:-fallback}', env)).toEqual({ ok: true, value: 'fallback' });
    expect(interpolateString('${EMPTY:-fallback}', env)).toEqual({ ok: true, value: 'fallback' });
    expect(interpolateString('${HOST:-fallback}', env)).toEqual({ ok: true, value: 'db.internal' });
    expect(interpolateString('${MISSING:-}', env)).toEqual({ ok: true, value: '' });
  });

  it('keeps an empty but set variable without default as ""', () => {
    expect(interpolateString('a${EMPTY}b', env)).toEqual({ ok: true, value: 'ab' });
  });

  it('turns $$ into $ and leaves other $ alone', () => {
    expect(interpolateString('cost: $$5, literal $${HOST}, $HOME, trailing $', env)).toEqual({
      ok: true,
      value: 'cost: $5, literal ${HOST}, $HOME, trailing $',
    });
  });

  it('reports every unset variable by name', () => {
    const result = interpolateString('${A}-${HOST}-${B}', env);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.problems).toEqual([
      'environment variable A is not set (write ${A:-default} to give a default)',
      'environment variable B is not set (write ${B:-default} to give a default)',
    ]);
  });

  it('reports malformed references', () => {
    expect(interpolateString('x ${HOST', env)).toEqual({
      ok: false,
      problems: ['unterminated "${" (write "$$" for a literal "$")'],
    });
    expect(interpolateString('${1BAD}', env)).toEqual({
      ok: false,
      problems: ['"${1BAD}" is not a valid reference (expected ${NAME} or ${NAME:-default})'],
    });
  });
});

describe('interpolateTree', () => {
  it('expands strings at any depth, leaves keys and non-strings alone, and names the key of a problem', () => {
    const tree = { a: { '${HOST}': '${HOST}', list: ['${HOST}', 3, '${NOPE}'] }, n: 5, b: true };
    const result = interpolateTree(tree, { HOST: 'h' });
    expect(result.value).toEqual({ a: { '${HOST}': 'h', list: ['h', 3, '${NOPE}'] }, n: 5, b: true });
    expect(result.issues).toEqual([
      {
        path: 'a.list[2]',
        message: 'environment variable NOPE is not set (write ${NOPE:-default} to give a default)',
      },
    ]);
  });

  it('drops a mapping value that expands to "" (unset) but keeps a literal ""', () => {
    const result = interpolateTree({ token: '${TOKEN:-}', literal: '' }, {});
    expect(result.value).toEqual({ literal: '' });
  });
});
