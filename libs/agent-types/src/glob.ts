/**
 * Glob patterns over `/`-separated relative paths: `**` any number of path segments (also none),
 * `*` any characters but `/`, `?` one character but `/`; everything else is literal. A pattern
 * without a `/` matches the last segment at any depth (`*.ts` is `** /*.ts`), as in .gitignore.
 */
export function globToRegExp(pattern: string): RegExp {
  const anchored = pattern.includes('/') ? pattern.replace(/^\//, '') : `**/${pattern}`;
  let source = '';
  for (let index = 0; index < anchored.length; index += 1) {
    const char = anchored[index] as string;
    if (char === '*' && anchored[index + 1] === '*') {
      const slash = anchored[index + 2] === '/';
      source += slash ? '(?:.*/)?' : '.*';
      index += slash ? 2 : 1;
    } else if (char === '*') {
      source += '[^/]*';
    } else if (char === '?') {
      source += '[^/]';
    } else {
      source += char.replace(/[.+^${}()|[\]\\]/g, '\\$&');
    }
  }
  return new RegExp(`^${source}$`);
}

/** Matches a path against any of the patterns. */
export function globMatcher(patterns: readonly string[]): (path: string) => boolean {
  const expressions = patterns.map(globToRegExp);
  return (path) => expressions.some((expression) => expression.test(path));
}
