/**
 * Languages the analyzers know. Parsed languages get units, complexity, imports and symbols from a
 * tree-sitter grammar; the others get line counts only, from a small comment scanner.
 */

/** Languages analysed with a tree-sitter grammar. */
export const PARSED_LANGUAGES = ['typescript', 'tsx', 'javascript', 'python', 'go', 'java', 'rust'] as const;
export type ParsedLanguage = (typeof PARSED_LANGUAGES)[number];

/** Comment syntax for the line-count scanner (and the reviewer's fallback comment finder). */
export interface CommentSyntax {
  /** Line comment markers, e.g. `//`, `#`. */
  line: readonly string[];
  /** Block comment delimiters, e.g. [`/*`, `*\/`]. */
  block: readonly (readonly [string, string])[];
  /** Quote characters of single-line string literals (comment markers inside them are ignored). */
  quotes: readonly string[];
  /** A line marker starts a comment only at the start of a line or after whitespace (`#` in shell, YAML). */
  lineMarkerAfterSpace?: boolean;
}

export interface LanguageSpec {
  name: string;
  extensions: readonly string[];
  /** Whole file names (case-sensitive) that identify the language, e.g. `Dockerfile`. */
  fileNames?: readonly string[];
  comments: CommentSyntax;
}

const C_LIKE: CommentSyntax = { line: ['//'], block: [['/*', '*/']], quotes: ['"', "'"] };
const JS_LIKE: CommentSyntax = { line: ['//'], block: [['/*', '*/']], quotes: ['"', "'", '`'] };
const HASH: CommentSyntax = { line: ['#'], block: [], quotes: ['"', "'"], lineMarkerAfterSpace: true };
const NONE: CommentSyntax = { line: [], block: [], quotes: [] };
const MARKUP: CommentSyntax = { line: [], block: [['<!--', '-->']], quotes: [] };

export const LANGUAGES: readonly LanguageSpec[] = [
  { name: 'typescript', extensions: ['ts', 'mts', 'cts'], comments: JS_LIKE },
  { name: 'tsx', extensions: ['tsx'], comments: JS_LIKE },
  { name: 'javascript', extensions: ['js', 'mjs', 'cjs', 'jsx'], comments: JS_LIKE },
  {
    name: 'python',
    extensions: ['py', 'pyi'],
    comments: {
      line: ['#'],
      block: [
        ['"""', '"""'],
        ["'''", "'''"],
      ],
      quotes: ['"', "'"],
    },
  },
  { name: 'go', extensions: ['go'], comments: { ...C_LIKE, quotes: ['"', "'", '`'] } },
  { name: 'java', extensions: ['java'], comments: C_LIKE },
  { name: 'rust', extensions: ['rs'], comments: { ...C_LIKE, quotes: ['"'] } },
  { name: 'c', extensions: ['c', 'h'], comments: C_LIKE },
  { name: 'cpp', extensions: ['cc', 'cpp', 'cxx', 'hh', 'hpp', 'hxx'], comments: C_LIKE },
  { name: 'csharp', extensions: ['cs'], comments: C_LIKE },
  { name: 'kotlin', extensions: ['kt', 'kts'], comments: C_LIKE },
  { name: 'swift', extensions: ['swift'], comments: C_LIKE },
  { name: 'scala', extensions: ['scala'], comments: C_LIKE },
  { name: 'php', extensions: ['php'], comments: { ...C_LIKE, line: ['//', '#'] } },
  { name: 'ruby', extensions: ['rb'], comments: HASH },
  { name: 'shell', extensions: ['sh', 'bash', 'zsh'], comments: HASH },
  { name: 'yaml', extensions: ['yml', 'yaml'], comments: HASH },
  { name: 'toml', extensions: ['toml'], comments: HASH },
  { name: 'dockerfile', extensions: [], fileNames: ['Dockerfile'], comments: HASH },
  { name: 'make', extensions: ['mk'], fileNames: ['Makefile', 'GNUmakefile'], comments: HASH },
  { name: 'sql', extensions: ['sql'], comments: { line: ['--'], block: [['/*', '*/']], quotes: ["'"] } },
  { name: 'css', extensions: ['css'], comments: { line: [], block: [['/*', '*/']], quotes: ['"', "'"] } },
  { name: 'scss', extensions: ['scss', 'less'], comments: C_LIKE },
  { name: 'html', extensions: ['html', 'htm'], comments: MARKUP },
  { name: 'xml', extensions: ['xml', 'svg'], comments: MARKUP },
  { name: 'markdown', extensions: ['md', 'markdown'], comments: MARKUP },
  { name: 'json', extensions: ['json'], comments: NONE },
  { name: 'protobuf', extensions: ['proto'], comments: C_LIKE },
];

/** Language of files no entry matches: line counts with every non-blank line counted as code. */
export const OTHER_LANGUAGE: LanguageSpec = { name: 'other', extensions: [], comments: NONE };

const byExtension = new Map(LANGUAGES.flatMap((spec) => spec.extensions.map((ext) => [ext, spec])));
const byFileName = new Map(LANGUAGES.flatMap((spec) => (spec.fileNames ?? []).map((n) => [n, spec])));

/** The language of a path, by file name and then by extension (case-insensitive); `other` when unknown. */
export function detectLanguage(path: string): LanguageSpec {
  const base = path.slice(path.lastIndexOf('/') + 1);
  const named = byFileName.get(base);
  if (named) return named;
  const dot = base.lastIndexOf('.');
  if (dot <= 0) return OTHER_LANGUAGE;
  return byExtension.get(base.slice(dot + 1).toLowerCase()) ?? OTHER_LANGUAGE;
}

export function isParsedLanguage(name: string): name is ParsedLanguage {
  return (PARSED_LANGUAGES as readonly string[]).includes(name);
}
