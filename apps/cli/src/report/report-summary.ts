import type { LanguageTotals, RepoReport } from '@contextforge/contracts';
import { formatTable } from '../format/table';

type LanguageRow = { language: string } & LanguageTotals;

/** Languages by lines of code, largest first, then the total row. */
export function languageRows(report: RepoReport): LanguageRow[] {
  const rows = Object.entries(report.languages)
    .map(([language, totals]) => ({ language, ...totals }))
    .sort((a, b) => b.code - a.code || a.language.localeCompare(b.language));
  return [...rows, { language: 'total', ...report.totals }];
}

/**
 * What `contextforge analyze` prints when the job is done: per-language totals, the top
 * hotspots, finding counts, and, loudly, what is missing. Pure.
 */
export function formatReportSummary(report: RepoReport, hotspots = 10): string {
  const sections: string[] = [];
  sections.push(
    formatTable(languageRows(report), [
      { header: 'LANGUAGE', value: (row) => row.language },
      { header: 'FILES', value: (row) => row.files, align: 'right' },
      { header: 'CODE', value: (row) => row.code, align: 'right' },
      { header: 'COMMENT', value: (row) => row.comment, align: 'right' },
      { header: 'BLANK', value: (row) => row.blank, align: 'right' },
      { header: 'FUNCTIONS', value: (row) => row.functions, align: 'right' },
      { header: 'COMPLEXITY', value: (row) => row.complexity, align: 'right' },
    ]),
  );
  if (report.hotspots.length > 0) {
    sections.push(
      'Hotspots (highest cyclomatic complexity):\n' +
        formatTable(report.hotspots.slice(0, hotspots), [
          { header: 'COMPLEXITY', value: (hotspot) => hotspot.complexity, align: 'right' },
          { header: 'FUNCTION', value: (hotspot) => hotspot.name, maxWidth: 40 },
          {
            header: 'LOCATION',
            value: (hotspot) => `${hotspot.file}:${hotspot.startLine}-${hotspot.endLine}`,
          },
        ]),
    );
  }
  const severities = Object.entries(report.findings.bySeverity)
    .sort(([a], [b]) => severityRank(a) - severityRank(b))
    .map(([severity, count]) => `${count} ${severity}`)
    .join(', ');
  sections.push(`Findings: ${report.findings.total}${severities ? ` (${severities})` : ''}\n`);
  sections.push(`Symbols indexed: ${report.index.symbols}\n`);
  sections.push(`Chunks: ${report.chunks.succeeded}/${report.chunks.total} succeeded\n`);
  if (report.skipped.count > 0)
    sections.push(`Skipped on purpose (binary or too large): ${report.skipped.count} files\n`);
  if (!report.complete) {
    sections.push(
      `INCOMPLETE: ${report.missing.count} files were not analysed:\n` +
        report.missing.files
          .slice(0, 20)
          .map((file) => `  ${file.path}: ${file.reason}\n`)
          .join('') +
        (report.missing.count > 20 ? `  ... and ${report.missing.count - 20} more (see the reports)\n` : ''),
    );
  }
  return sections.join('\n');
}

const SEVERITY_ORDER = ['error', 'warning', 'info'];
function severityRank(severity: string): number {
  const rank = SEVERITY_ORDER.indexOf(severity);
  return rank === -1 ? SEVERITY_ORDER.length : rank;
}
