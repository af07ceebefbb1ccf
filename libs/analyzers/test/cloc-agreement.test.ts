import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { Node } from '@vscode/tree-sitter-wasm';
import { analyzeFile } from '../src/analyze-file';
import { detectLanguage, isParsedLanguage } from '../src/languages';
import { parserFor } from '../src/parser-pool';

const LITERALS = new Set(['string', 'template_string', 'regex']);

/** The content with `//`, `/*` and `*` + `/` inside literals replaced by `xx`. */
async function maskLiterals(path: string, content: string): Promise<string> {
  const language = detectLanguage(path).name;
  if (!isParsedLanguage(language)) return content;
  const tree = (await parserFor(language)).parse(content);
  if (!tree) return content;
  const chars = content.split('');
  const visit = (node: Node) => {
    if (LITERALS.has(node.type)) {
      for (let i = node.startIndex + 1; i < node.endIndex - 2; i++) {
        const pair = content.slice(i, i + 2);
        if (pair === '//' || pair === '/*' || pair === '*/') {
          chars[i] = 'x';
          chars[i + 1] = 'x';
          i++;
        }
      }
      return;
    }
    for (const child of node.namedChildren) if (child) visit(child);
  };
  visit(tree.rootNode);
  tree.delete();
  return chars.join('');
}

function runCloc(cwd: string, paths: readonly string[]): Record<string, ClocFile> {
  const scratch = mkdtempSync(join(tmpdir(), 'cloc-list-'));
  try {
    writeFileSync(join(scratch, 'list'), paths.join('\n'));
    const json = execFileSync(
      'cloc',
      ['--json', '--by-file', '--quiet', `--list-file=${join(scratch, 'list')}`],
      {
        cwd,
        encoding: 'utf8',
        maxBuffer: 64 * 1024 * 1024,
      },
    );
    return JSON.parse(json) as Record<string, ClocFile>;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/**
 * The issue's bar: line counts agree with cloc on this repository's own TypeScript and JavaScript
 * files within 2% per language. Tracked files only (`git ls-files`), so gitignored generated
 * output is left out. Per-file differences are printed too, so the totals cannot agree by luck.
 *
 * cloc means to ignore comment markers inside strings (its rm_comments_in_strings replaces them
 * with `xx`) but for TypeScript does so only in double-quoted strings, and in JavaScript only in
 * strings that close on their line; a glob such as '**' + '/*.ts' in single quotes then opens a
 * "comment" that swallows the lines up to the next `*` + `/`. So cloc counts copies of the files in
 * which the markers inside string, template and regex literals are already replaced by `xx`, as
 * cloc intends; line structure is unchanged. The raw figures are printed beside them.
 */

const ROOT = resolve(__dirname, '../../..');
const CLOC_LANGUAGE: Record<string, string> = { TypeScript: 'typescript', JavaScript: 'javascript' };

type Counts = { code: number; comment: number; blank: number };
type ClocFile = Counts & { language: string };

const zero = (): Counts => ({ code: 0, comment: 0, blank: 0 });
const add = (into: Counts, c: Counts) => {
  into.code += c.code;
  into.comment += c.comment;
  into.blank += c.blank;
};

describe('line counts against cloc', () => {
  it("agree within 2% per language on the repository's TypeScript and JavaScript", async () => {
    const paths = execFileSync('git', ['ls-files', '*.ts', '*.tsx', '*.js', '*.mjs', '*.cjs'], {
      cwd: ROOT,
      encoding: 'utf8',
    })
      .split('\n')
      .filter((path) => path && existsSync(join(ROOT, path)));
    expect(paths.length).toBeGreaterThan(100);

    const raw = runCloc(ROOT, paths);
    const masked = mkdtempSync(join(tmpdir(), 'cloc-masked-'));
    let cloc: Record<string, ClocFile>;
    try {
      for (const path of paths) {
        const target = join(masked, path);
        mkdirSync(dirname(target), { recursive: true });
        writeFileSync(target, await maskLiterals(path, readFileSync(join(ROOT, path), 'utf8')));
      }
      cloc = runCloc(masked, paths);
    } finally {
      rmSync(masked, { recursive: true, force: true });
    }
    const rawTotals: Record<string, Counts> = {};
    for (const path of paths) {
      const counted = raw[path];
      const language = counted && CLOC_LANGUAGE[counted.language];
      if (counted && language) add((rawTotals[language] ??= zero()), counted);
    }

    const clocTotals: Record<string, Counts> = {};
    const ourTotals: Record<string, Counts> = {};
    const differences: { path: string; cloc: Counts; ours: Counts; delta: number }[] = [];
    for (const path of paths) {
      const expected = cloc[path];
      const language = expected && CLOC_LANGUAGE[expected.language];
      if (!expected || !language) continue;
      const ours = (await analyzeFile({ path, content: readFileSync(join(ROOT, path), 'utf8') })).lines;
      // cloc has no TSX language of its own: it counts .tsx as TypeScript.
      add((clocTotals[language] ??= zero()), expected);
      add((ourTotals[language] ??= zero()), ours);
      const delta =
        Math.abs(ours.code - expected.code) +
        Math.abs(ours.comment - expected.comment) +
        Math.abs(ours.blank - expected.blank);
      if (delta > 0) differences.push({ path, cloc: pick(expected), ours: pick(ours), delta });
    }

    const report = Object.keys(clocTotals).map((language) => {
      const theirs = clocTotals[language] ?? zero();
      const ours = ourTotals[language] ?? zero();
      const deviation = (key: keyof Counts) => Math.abs(ours[key] - theirs[key]) / Math.max(1, theirs[key]);
      return {
        language,
        clocRaw: rawTotals[language],
        cloc: theirs,
        ours,
        maxDeviationPercent: 100 * Math.max(deviation('code'), deviation('comment'), deviation('blank')),
      };
    });
    differences.sort((a, b) => b.delta - a.delta);
    console.log(
      JSON.stringify(
        {
          files: paths.length,
          totals: report,
          filesThatDiffer: differences.length,
          worst: differences.slice(0, 5),
        },
        null,
        1,
      ),
    );

    expect(report.map((row) => row.language).sort()).toEqual(['javascript', 'typescript']);
    for (const row of report) expect(row.maxDeviationPercent).toBeLessThanOrEqual(2);
  });
});

const pick = (c: Counts): Counts => ({ code: c.code, comment: c.comment, blank: c.blank });
