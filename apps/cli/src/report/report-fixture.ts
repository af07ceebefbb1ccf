import type { RepoReport } from '@contextforge/contracts';

const totals = (
  files: number,
  code: number,
  comment: number,
  blank: number,
  functions: number,
  complexity: number,
) => ({
  files,
  bytes: code * 30,
  code,
  comment,
  blank,
  lines: code + comment + blank,
  functions,
  types: 1,
  complexity,
});

/** A small incomplete report: two languages, a hotspot, a finding, one missing file. */
export function sampleReport(overrides: Partial<RepoReport> = {}): RepoReport {
  return {
    root: '/repo',
    analyzers: ['code-analyzer', 'indexer', 'reviewer'],
    complete: false,
    totals: totals(3, 130, 20, 10, 7, 15),
    languages: { python: totals(1, 30, 5, 2, 2, 3), typescript: totals(2, 100, 15, 8, 5, 12) },
    hotspots: [
      {
        file: 'src/a.ts',
        language: 'typescript',
        name: 'parse|tokens',
        kind: 'function',
        startLine: 3,
        endLine: 40,
        complexity: 9,
      },
    ],
    findings: {
      total: 2,
      bySeverity: { warning: 1, info: 1 },
      byRule: { 'todo/marker': 1, 'complexity/high': 1 },
      items: [{ file: 'src/a.ts', line: 7, ruleId: 'todo/marker', severity: 'info', message: 'TODO: tidy' }],
      truncated: true,
    },
    index: { symbols: 12 },
    chunks: { total: 3, succeeded: 2, failed: 1 },
    skipped: { count: 1, files: [{ path: 'logo.png', bytes: 2048, reason: 'binary' }] },
    missing: {
      count: 1,
      files: [{ path: 'src/b.py', reason: 'chunk 2 dead_lettered: TASK_TIMEOUT' }],
      chunks: [{ index: 2, taskId: 'task-2', status: 'dead_lettered', reason: 'TASK_TIMEOUT', files: 1 }],
    },
    ...overrides,
  };
}
