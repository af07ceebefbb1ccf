import type { FileAnalysis, Finding } from '@contextforge/contracts';
import { detectLanguage } from './languages';
import { scanComments, type CommentSpan } from './line-counts';
import { findSecrets } from './find-secrets';

/**
 * Reviewer rules. Thresholds are fixed so results are comparable across runs and cacheable:
 * - complexity/high: a function or method with cyclomatic complexity > 10 (warning), > 20 (error)
 * - size/long-function: a function or method longer than 60 lines (warning)
 * - size/long-file: a file longer than 1,000 lines (warning)
 * - todo/marker: TODO, FIXME, XXX or HACK in a comment (info)
 * - secrets/hard-coded: a likely secret in the source (error; the value is never echoed)
 */
export const REVIEW_LIMITS = {
  complexityWarning: 10,
  complexityError: 20,
  functionLines: 60,
  fileLines: 1000,
} as const;

const MARKER = /\b(TODO|FIXME|XXX|HACK)\b[:\s]*(.*)/;

export interface ReviewOptions {
  /** Comment extents from the parse (analyzeSource); without them the comment scanner finds them. */
  comments?: readonly CommentSpan[];
}

export function reviewFile(analysis: FileAnalysis, content: string, options: ReviewOptions = {}): Finding[] {
  const file = analysis.path;
  const findings: Finding[] = [];
  for (const unit of analysis.units) {
    if (unit.kind !== 'function' && unit.kind !== 'method') continue;
    const complexity = unit.complexity ?? 1;
    if (complexity > REVIEW_LIMITS.complexityWarning) {
      const error = complexity > REVIEW_LIMITS.complexityError;
      findings.push({
        file,
        line: unit.startLine,
        ruleId: 'complexity/high',
        severity: error ? 'error' : 'warning',
        message: `${unit.kind} ${unit.name} has cyclomatic complexity ${complexity} (limit ${
          error ? REVIEW_LIMITS.complexityError : REVIEW_LIMITS.complexityWarning
        })`,
      });
    }
    const length = unit.endLine - unit.startLine + 1;
    if (length > REVIEW_LIMITS.functionLines)
      findings.push({
        file,
        line: unit.startLine,
        ruleId: 'size/long-function',
        severity: 'warning',
        message: `${unit.kind} ${unit.name} is ${length} lines long (limit ${REVIEW_LIMITS.functionLines})`,
      });
  }
  if (analysis.lines.total > REVIEW_LIMITS.fileLines)
    findings.push({
      file,
      line: 1,
      ruleId: 'size/long-file',
      severity: 'warning',
      message: `file is ${analysis.lines.total} lines long (limit ${REVIEW_LIMITS.fileLines})`,
    });
  findings.push(
    ...markers(file, content, options.comments ?? scanComments(content, detectLanguage(file).comments)),
  );
  for (const hit of findSecrets(content))
    findings.push({
      file,
      line: hit.line,
      ruleId: 'secrets/hard-coded',
      severity: 'error',
      message: `likely hard-coded secret: ${hit.description}; move it to configuration or a secret store`,
    });
  return findings.sort((a, b) => a.line - b.line);
}

function markers(file: string, content: string, comments: readonly CommentSpan[]): Finding[] {
  const findings: Finding[] = [];
  let line = 1;
  let scanned = 0;
  for (const span of comments) {
    const text = content.slice(span.start, span.end);
    if (!/TODO|FIXME|XXX|HACK/.test(text)) continue;
    for (let i = content.indexOf('\n', scanned); i >= 0 && i < span.start; i = content.indexOf('\n', i + 1))
      line++;
    scanned = span.start;
    text.split('\n').forEach((part, offset) => {
      const match = MARKER.exec(part);
      if (!match) return;
      const note = (match[2] ?? '')
        .replace(/\*\/\s*$|-->\s*$/, '')
        .trim()
        .slice(0, 120);
      findings.push({
        file,
        line: line + offset,
        ruleId: 'todo/marker',
        severity: 'info',
        message: note ? `${match[1]}: ${note}` : `${match[1]} marker`,
      });
    });
  }
  return findings;
}
