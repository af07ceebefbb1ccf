import type { LineCounts } from '@contextforge/contracts';
import type { CommentSyntax } from './languages';

/** A comment's extent in the content, as UTF-16 offsets `[start, end)`. */
export interface CommentSpan {
  start: number;
  end: number;
}

const isSpace = (code: number) => code === 32 || code === 9 || code === 13 || code === 12 || code === 11;

/**
 * Classifies lines the way cloc does: blank when only whitespace; comment when every non-blank
 * character lies inside a comment (so blank lines inside block comments stay blank); code
 * otherwise, including lines with code and a trailing comment. `comments` must be sorted and
 * disjoint. A final line without a newline counts; an empty file has no lines.
 */
export function countLines(content: string, comments: readonly CommentSpan[]): LineCounts {
  let code = 0;
  let comment = 0;
  let blank = 0;
  let span = 0;
  let hasCode = false;
  let hasComment = false;
  const endLine = () => {
    if (hasCode) code++;
    else if (hasComment) comment++;
    else blank++;
    hasCode = false;
    hasComment = false;
  };
  for (let i = 0; i < content.length; i++) {
    const ch = content.charCodeAt(i);
    if (ch === 10) {
      endLine();
      continue;
    }
    if (isSpace(ch)) continue;
    let current = comments[span];
    while (current && current.end <= i) current = comments[++span];
    if (current && current.start <= i) hasComment = true;
    else hasCode = true;
  }
  if (content.length > 0 && content.charCodeAt(content.length - 1) !== 10) endLine();
  return { code, comment, blank, total: code + comment + blank };
}

/**
 * Finds comments with a language's line and block markers, skipping single-line string literals.
 * Good enough for line counts of languages without a grammar; it knows nothing of nesting,
 * heredocs or regular expressions.
 */
export function scanComments(content: string, syntax: CommentSyntax): CommentSpan[] {
  const spans: CommentSpan[] = [];
  const { line, block, quotes } = syntax;
  if (line.length === 0 && block.length === 0) return spans;
  let i = 0;
  const n = content.length;
  outer: while (i < n) {
    const ch = content.charAt(i);
    for (const [open, close] of block) {
      if (content.startsWith(open, i)) {
        const endAt = content.indexOf(close, i + open.length);
        const end = endAt < 0 ? n : endAt + close.length;
        spans.push({ start: i, end });
        i = end;
        continue outer;
      }
    }
    for (const marker of line) {
      if (
        content.startsWith(marker, i) &&
        (!syntax.lineMarkerAfterSpace || i === 0 || /\s/.test(content.charAt(i - 1)))
      ) {
        const newline = content.indexOf('\n', i);
        const end = newline < 0 ? n : newline;
        spans.push({ start: i, end });
        i = end;
        continue outer;
      }
    }
    if (quotes.includes(ch)) {
      let j = i + 1;
      while (j < n && content[j] !== ch && content[j] !== '\n') j += content[j] === '\\' ? 2 : 1;
      i = j + 1;
      continue;
    }
    i++;
  }
  return spans;
}
