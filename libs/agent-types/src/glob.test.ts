import { globMatcher, globToRegExp } from './glob';

describe('globToRegExp', () => {
  it.each([
    ['**/node_modules/**', 'node_modules/x/y.js', true],
    ['**/node_modules/**', 'a/node_modules/y.js', true],
    ['**/node_modules/**', 'a/node_modules_x/y.js', false],
    ['src/**/*.ts', 'src/a.ts', true],
    ['src/**/*.ts', 'src/a/b/c.ts', true],
    ['src/**/*.ts', 'lib/a.ts', false],
    ['src/*.ts', 'src/a/b.ts', false],
    ['*.md', 'docs/deep/readme.md', true],
    ['*.md', 'readme.mdx', false],
    ['file?.txt', 'file1.txt', true],
    ['file?.txt', 'file10.txt', false],
    ['a+b(c).ts', 'a+b(c).ts', true],
  ])('%s matches %s: %s', (pattern, path, expected) => {
    expect(globToRegExp(pattern).test(path)).toBe(expected);
  });

  it('matches any of several patterns', () => {
    const matches = globMatcher(['*.png', 'vendor/**']);
    expect(matches('img/logo.png')).toBe(true);
    expect(matches('vendor/lib.js')).toBe(true);
    expect(matches('src/lib.js')).toBe(false);
  });
});
