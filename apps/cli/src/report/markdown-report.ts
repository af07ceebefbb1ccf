import type { RepoReport } from '@contextforge/contracts';
import type { ReportMeta } from './json-report';
import { languageRows } from './report-summary';

/** `|` and line breaks would break a table cell. */
function cell(value: string | number): string {
  return String(value).replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

function table(
  headers: readonly string[],
  rows: ReadonlyArray<ReadonlyArray<string | number>>,
  right: ReadonlySet<number> = new Set(),
): string {
  const head = `| ${headers.join(' | ')} |`;
  const rule = `|${headers.map((_, index) => (right.has(index) ? ' ---: ' : ' --- ')).join('|')}|`;
  return [head, rule, ...rows.map((row) => `| ${row.map(cell).join(' | ')} |`)].join('\n') + '\n';
}

/**
 * The Markdown report: summary, per-language totals, hotspots, findings and, when the job is
 * incomplete, the files that are missing and why. Pure; lists are cut where the job cut them.
 */
export function renderMarkdownReport(report: RepoReport, meta: ReportMeta): string {
  const parts: string[] = [];
  parts.push(`# ContextForge analysis of \`${report.root}\`\n`);
  parts.push(
    `Job \`${meta.jobId}\` on ${meta.gateway}, ${meta.generatedAt}. Analyzers: ${report.analyzers.join(', ')}.\n`,
  );
  parts.push(
    report.complete
      ? `**Complete**: ${report.totals.files} files, ${report.chunks.total} chunks.\n`
      : `**Incomplete**: ${report.missing.count} files were not analysed (see [Missing files](#missing-files)).\n`,
  );
  parts.push('## Languages\n');
  parts.push(
    table(
      ['Language', 'Files', 'Code', 'Comment', 'Blank', 'Functions', 'Types', 'Complexity'],
      languageRows(report).map((row) => [
        row.language === 'total' ? '**total**' : row.language,
        row.files,
        row.code,
        row.comment,
        row.blank,
        row.functions,
        row.types,
        row.complexity,
      ]),
      new Set([1, 2, 3, 4, 5, 6, 7]),
    ),
  );
  parts.push('## Hotspots\n');
  parts.push(
    report.hotspots.length === 0
      ? 'No functions found.\n'
      : table(
          ['Complexity', 'Function', 'Kind', 'Location'],
          report.hotspots.map((hotspot) => [
            hotspot.complexity,
            `\`${hotspot.name}\``,
            hotspot.kind,
            `${hotspot.file}:${hotspot.startLine}-${hotspot.endLine}`,
          ]),
          new Set([0]),
        ),
  );
  parts.push(`## Findings (${report.findings.total})\n`);
  if (report.findings.items.length === 0) {
    parts.push('No findings.\n');
  } else {
    parts.push(
      table(
        ['Severity', 'Rule', 'Location', 'Message'],
        report.findings.items.map((finding) => [
          finding.severity,
          finding.ruleId,
          `${finding.file}:${finding.line}`,
          finding.message,
        ]),
      ),
    );
    if (report.findings.truncated) {
      parts.push(
        `Only the first ${report.findings.items.length} of ${report.findings.total} findings are listed.\n`,
      );
    }
  }
  parts.push(
    `## Index\n\n${report.index.symbols} symbols indexed (search them with \`contextforge search\`).\n`,
  );
  if (report.skipped.count > 0) {
    parts.push(`## Skipped files (${report.skipped.count})\n`);
    parts.push(
      table(
        ['File', 'Bytes', 'Reason'],
        report.skipped.files.map((file) => [file.path, file.bytes, file.reason]),
        new Set([1]),
      ),
    );
  }
  if (!report.complete) {
    parts.push(`## Missing files\n`);
    parts.push(
      table(
        ['File', 'Reason'],
        report.missing.files.map((file) => [file.path, file.reason]),
      ),
    );
    if (report.missing.chunks.length > 0) {
      parts.push(
        table(
          ['Chunk', 'Task', 'Status', 'Files', 'Reason'],
          report.missing.chunks.map((chunk) => [
            chunk.index,
            chunk.taskId,
            chunk.status,
            chunk.files,
            chunk.reason,
          ]),
        ),
      );
    }
  }
  return parts.join('\n');
}
