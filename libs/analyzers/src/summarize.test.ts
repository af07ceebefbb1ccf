import fc from 'fast-check';
import type { FileAnalysis } from '@contextforge/contracts';
import { HOTSPOT_LIMIT, mergeSummaries, summarize } from './summarize';

const unit = fc.record({
  kind: fc.constantFrom('function', 'method', 'class') as fc.Arbitrary<'function' | 'method' | 'class'>,
  name: fc.constantFrom('a', 'b', 'run', 'main'),
  startLine: fc.integer({ min: 1, max: 50 }),
  complexity: fc.integer({ min: 1, max: 30 }),
});

const analysis: fc.Arbitrary<FileAnalysis> = fc
  .record({
    path: fc.constantFrom('a.ts', 'b.ts', 'src/c.py', 'd.go', 'e.md'),
    language: fc.constantFrom('typescript', 'python', 'go', 'markdown'),
    code: fc.nat(500),
    comment: fc.nat(100),
    blank: fc.nat(100),
    units: fc.array(unit, { maxLength: 8 }),
  })
  .map(({ path, language, code, comment, blank, units }) => ({
    path,
    language,
    parsed: true,
    bytes: code * 10,
    lines: { code, comment, blank, total: code + comment + blank },
    imports: [],
    units: units.map((u) => ({
      kind: u.kind,
      name: u.name,
      startLine: u.startLine,
      endLine: u.startLine + 3,
      ...(u.kind === 'class' ? {} : { complexity: u.complexity }),
    })),
  }));

describe('summarize', () => {
  it('totals per language and ranks hotspots by complexity', () => {
    const files: FileAnalysis[] = [
      {
        path: 'a.ts',
        language: 'typescript',
        parsed: true,
        bytes: 10,
        lines: { code: 10, comment: 2, blank: 1, total: 13 },
        imports: [],
        units: [
          { kind: 'class', name: 'A', startLine: 1, endLine: 9 },
          { kind: 'method', name: 'm', startLine: 2, endLine: 4, complexity: 3 },
        ],
      },
      {
        path: 'b.py',
        language: 'python',
        parsed: true,
        bytes: 5,
        lines: { code: 4, comment: 0, blank: 2, total: 6 },
        imports: [],
        units: [{ kind: 'function', name: 'f', startLine: 1, endLine: 4, complexity: 7 }],
      },
    ];
    expect(summarize(files)).toEqual({
      languages: {
        python: { files: 1, code: 4, comment: 0, blank: 2, units: 1 },
        typescript: { files: 1, code: 10, comment: 2, blank: 1, units: 2 },
      },
      total: { files: 2, code: 14, comment: 2, blank: 3, units: 3 },
      hotspots: [
        { path: 'b.py', name: 'f', kind: 'function', startLine: 1, endLine: 4, complexity: 7 },
        { path: 'a.ts', name: 'm', kind: 'method', startLine: 2, endLine: 4, complexity: 3 },
      ],
    });
  });

  it('is additive: merging the summaries of any chunking equals the summary of the whole', () => {
    fc.assert(
      fc.property(
        fc.array(analysis, { maxLength: 40 }),
        fc.array(fc.nat(40), { maxLength: 10 }),
        (files, cuts) => {
          const bounds = [...new Set([0, ...cuts.map((c) => Math.min(c, files.length)), files.length])].sort(
            (a, b) => a - b,
          );
          const chunks = bounds.slice(1).map((end, i) => files.slice(bounds[i], end));
          const merged = mergeSummaries(chunks.map(summarize));
          const whole = summarize(files);
          expect(merged).toEqual(whole);
          expect(whole.hotspots.length).toBeLessThanOrEqual(HOTSPOT_LIMIT);
        },
      ),
      { numRuns: 300 },
    );
  });
});
