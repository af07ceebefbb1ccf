import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeSource } from '../src/analyze-file';
import { PARSED_LANGUAGES } from '../src/languages';

/**
 * One small, non-trivial file per parsed language. expectations.json was checked by hand: every
 * unit's range and complexity counted from the source (decision points listed in the grammar
 * rules), every import and symbol read off the file, and the line counts also equal cloc 1.96's
 * (`cloc --by-file test/fixtures`).
 */

type Expected = {
  language: string;
  lines: { code: number; comment: number; blank: number; total: number };
  imports: string[];
  units: (string | number)[][];
  symbols: (string | number)[][];
};

const DIR = join(__dirname, 'fixtures');
const expectations = JSON.parse(readFileSync(join(DIR, 'expectations.json'), 'utf8')) as Record<
  string,
  Expected
>;

describe('hand-verified fixtures', () => {
  it('cover every parsed language', () => {
    const covered = readdirSync(DIR, { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name)
      .sort();
    expect(covered).toEqual([...PARSED_LANGUAGES].sort());
    expect(
      Object.keys(expectations)
        .map((path) => path.split('/')[0])
        .sort(),
    ).toEqual([...PARSED_LANGUAGES].sort());
  });

  it.each(Object.entries(expectations))('%s', async (path, expected) => {
    const content = readFileSync(join(DIR, path), 'utf8');
    const { analysis, symbols } = await analyzeSource({ path, content });
    expect(analysis.language).toBe(expected.language);
    expect(analysis.parsed).toBe(true);
    expect(analysis.bytes).toBe(Buffer.byteLength(content));
    expect(analysis.lines).toEqual(expected.lines);
    expect(analysis.imports).toEqual(expected.imports);
    expect(
      analysis.units.map((u) => [
        u.kind,
        u.name,
        u.startLine,
        u.endLine,
        ...(u.complexity ? [u.complexity] : []),
      ]),
    ).toEqual(expected.units);
    expect(symbols.map((s) => [s.kind, s.name, s.startLine, s.endLine, s.signature])).toEqual(
      expected.symbols,
    );
    expect(symbols.every((s) => s.file === path && s.language === expected.language)).toBe(true);
  });
});
