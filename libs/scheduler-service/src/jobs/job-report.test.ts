import { repoChunkOutputOf, type FileAnalysis, type Finding, type SymbolDef } from '@contextforge/contracts';
import fc from 'fast-check';
import { ReportBuilder } from './job-report';

const LANGUAGES = ['typescript', 'python', 'go', 'markdown'];

function analysisOf(index: number) {
  const language = LANGUAGES[index % LANGUAGES.length] as string;
  const path = `src/file-${String(index).padStart(3, '0')}.x`;
  const file: FileAnalysis = {
    path,
    language,
    parsed: language !== 'markdown',
    bytes: 100 + index,
    lines: { code: 10 + index, comment: index % 3, blank: 2, total: 12 + index + (index % 3) },
    units:
      language === 'markdown'
        ? []
        : [
            { kind: 'function', name: `f${index}`, startLine: 1, endLine: 5, complexity: 1 + (index % 7) },
            { kind: 'class', name: `C${index}`, startLine: 6, endLine: 9 },
          ],
    imports: [],
  };
  const findings: Finding[] =
    index % 4 === 0
      ? [
          {
            file: path,
            line: 1,
            ruleId: 'todo/marker',
            severity: index % 8 === 0 ? 'warning' : 'info',
            message: 'TODO',
          },
        ]
      : [];
  const symbols: SymbolDef[] = file.units.map((unit) => ({
    kind: unit.kind === 'class' ? 'class' : 'function',
    name: unit.name,
    file: path,
    startLine: unit.startLine,
    endLine: unit.endLine,
    signature: unit.name,
    language,
  }));
  return { file, findings, symbols };
}

const TREE = Array.from({ length: 40 }, (_, index) => analysisOf(index));

/** The report of the tree analysed as the given chunks (lists of indexes into TREE). */
function reportOf(chunks: number[][]) {
  const builder = new ReportBuilder({
    root: '/repo',
    analyzers: ['code-analyzer'],
    chunks: chunks.length,
    skipped: [],
  });
  for (const chunk of chunks) {
    const parts = chunk.map((index) => TREE[index] as (typeof TREE)[number]);
    builder.addSucceeded(
      repoChunkOutputOf({
        files: parts.map((part) => part.file),
        findings: parts.flatMap((part) => part.findings),
        symbols: parts.flatMap((part) => part.symbols),
        errors: [],
      }),
    );
  }
  return builder.build();
}

describe('ReportBuilder', () => {
  const single = reportOf([TREE.map((_, index) => index)]);

  it('sums per-language totals, counts symbols and findings, and ranks hotspots', () => {
    expect(single.complete).toBe(true);
    expect(single.totals.files).toBe(40);
    expect(single.languages['typescript']?.files).toBe(10);
    expect(single.totals.code).toBe(TREE.reduce((sum, part) => sum + part.file.lines.code, 0));
    expect(single.totals.functions).toBe(30);
    expect(single.totals.types).toBe(30);
    expect(single.index.symbols).toBe(60);
    expect(single.findings.total).toBe(10);
    expect(single.findings.bySeverity).toEqual({ warning: 5, info: 5 });
    expect(single.hotspots[0]?.complexity).toBe(7);
    expect(single.hotspots.map((spot) => spot.complexity)).toEqual(
      [...single.hotspots.map((spot) => spot.complexity)].sort((a, b) => b - a),
    );
    expect(single.findings.items[0]?.severity).toBe('warning');
  });

  it('gives the same report whatever the chunk boundaries and order (property)', () => {
    const partitions = fc
      .array(fc.integer({ min: 0, max: 7 }), { minLength: TREE.length, maxLength: TREE.length })
      .chain((bins) =>
        fc
          .shuffledSubarray([...Array(8).keys()], { minLength: 8, maxLength: 8 })
          .map((order) =>
            order
              .map((bin) => bins.flatMap((assigned, index) => (assigned === bin ? [index] : [])))
              .filter((chunk) => chunk.length > 0),
          ),
      );
    fc.assert(
      fc.property(partitions, (chunks) => {
        const report = reportOf(chunks);
        expect({ ...report, chunks: undefined }).toEqual({ ...single, chunks: undefined });
      }),
      { numRuns: 50 },
    );
  });

  it('lists the files of a failed chunk and unreadable files as missing, never hiding them', () => {
    const builder = new ReportBuilder({
      root: '/repo',
      analyzers: ['code-analyzer'],
      chunks: 2,
      skipped: [{ path: 'logo.png', bytes: 10, reason: 'binary' }],
    });
    const part = TREE[0] as (typeof TREE)[number];
    builder.addSucceeded(
      repoChunkOutputOf({
        files: [part.file],
        findings: [],
        symbols: [],
        errors: [{ path: 'src/gone.ts', message: 'ENOENT: no such file' }],
      }),
    );
    builder.addFailed({
      index: 1,
      taskId: '00000000-0000-4000-8000-000000000001',
      status: 'dead_lettered',
      reason: 'TASK_TIMEOUT: no outcome within 10 ms',
      files: ['src/b.ts', 'src/a.ts'],
    });
    const report = builder.build();
    expect(report.complete).toBe(false);
    expect(report.totals.files).toBe(1);
    expect(report.chunks).toEqual({ total: 2, succeeded: 1, failed: 1 });
    expect(report.missing.count).toBe(3);
    expect(report.missing.files.map((file) => file.path)).toEqual(['src/a.ts', 'src/b.ts', 'src/gone.ts']);
    expect(report.missing.files[0]?.reason).toContain('TASK_TIMEOUT');
    expect(report.missing.chunks).toEqual([
      expect.objectContaining({ index: 1, status: 'dead_lettered', files: 2 }),
    ]);
    expect(report.skipped).toEqual({ count: 1, files: [{ path: 'logo.png', bytes: 10, reason: 'binary' }] });
  });
});
