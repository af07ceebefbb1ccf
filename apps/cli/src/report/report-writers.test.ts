import { renderJsonReport } from './json-report';
import { renderMarkdownReport } from './markdown-report';
import { sampleReport } from './report-fixture';
import { formatReportSummary, languageRows } from './report-summary';

const meta = { jobId: 'job-1', gateway: 'http://gw', generatedAt: '2025-01-01T00:00:00.000Z' };

describe('report writers', () => {
  it('JSON: the report as returned plus meta, parseable back', () => {
    const report = sampleReport();
    expect(JSON.parse(renderJsonReport(report, meta))).toEqual({ meta, report });
  });

  it('languages are sorted by code lines, with the total last', () => {
    expect(languageRows(sampleReport()).map((row) => [row.language, row.code])).toEqual([
      ['typescript', 100],
      ['python', 30],
      ['total', 130],
    ]);
  });

  it('Markdown: tables with escaped cells, the truncation note and the missing files', () => {
    const markdown = renderMarkdownReport(sampleReport(), meta);
    expect(markdown).toContain('# ContextForge analysis of `/repo`');
    expect(markdown).toContain('**Incomplete**: 1 files were not analysed');
    expect(markdown).toContain('| typescript | 2 | 100 | 15 | 8 | 5 | 1 | 12 |');
    expect(markdown).toContain('| **total** | 3 | 130 | 20 | 10 | 7 | 1 | 15 |');
    expect(markdown).toContain('| 9 | `parse\\|tokens` | function | src/a.ts:3-40 |');
    expect(markdown).toContain('Only the first 1 of 2 findings are listed.');
    expect(markdown).toContain('| src/b.py | chunk 2 dead_lettered: TASK_TIMEOUT |');
    expect(markdown).toContain('| logo.png | 2048 | binary |');
  });

  it('Markdown of a complete report has no missing-files section', () => {
    const markdown = renderMarkdownReport(
      sampleReport({ complete: true, missing: { count: 0, files: [], chunks: [] } }),
      meta,
    );
    expect(markdown).toContain('**Complete**: 3 files, 3 chunks.');
    expect(markdown).not.toContain('## Missing files');
  });

  it('the summary names what is missing', () => {
    const summary = formatReportSummary(sampleReport());
    expect(summary).toMatch(/^LANGUAGE\s+FILES\s+CODE/);
    expect(summary).toContain('Findings: 2 (1 warning, 1 info)');
    expect(summary).toContain('Chunks: 2/3 succeeded');
    expect(summary).toContain(
      'INCOMPLETE: 1 files were not analysed:\n  src/b.py: chunk 2 dead_lettered: TASK_TIMEOUT',
    );
  });
});
