import type { FileAnalysis, SymbolDef } from '@contextforge/contracts';
import type { GrammarRules } from './grammar-rules';
import { detectLanguage, isParsedLanguage, type ParsedLanguage } from './languages';
import { countLines, scanComments, type CommentSpan } from './line-counts';
import { extract } from './extract';
import { parserFor } from './parser-pool';
import { ecmascriptRules } from './rules/ecmascript-rules';
import { goRules } from './rules/go-rules';
import { javaRules } from './rules/java-rules';
import { pythonRules } from './rules/python-rules';
import { rustRules } from './rules/rust-rules';

const RULES: Record<ParsedLanguage, GrammarRules> = {
  typescript: ecmascriptRules,
  tsx: ecmascriptRules,
  javascript: ecmascriptRules,
  python: pythonRules,
  go: goRules,
  java: javaRules,
  rust: rustRules,
};

/** A file's analysis together with what the indexer and the reviewer take from the same parse. */
export interface SourceAnalysis {
  analysis: FileAnalysis;
  symbols: SymbolDef[];
  /** Comment extents (sorted, disjoint), for the reviewer's TODO markers. */
  comments: CommentSpan[];
}

/** Analyses one file: parsed languages through tree-sitter, the others by the comment scanner. */
export async function analyzeSource(file: { path: string; content: string }): Promise<SourceAnalysis> {
  const spec = detectLanguage(file.path);
  const { content } = file;
  const base = { path: file.path, language: spec.name, bytes: Buffer.byteLength(content, 'utf8') };
  if (!isParsedLanguage(spec.name)) {
    const comments = scanComments(content, spec.comments);
    const analysis = { ...base, parsed: false, lines: countLines(content, comments), units: [], imports: [] };
    return { analysis, symbols: [], comments };
  }
  const parser = await parserFor(spec.name);
  const tree = parser.parse(content);
  if (!tree) throw new Error(`tree-sitter returned no tree for ${file.path}`);
  try {
    const { units, symbols, imports, comments } = extract(tree, content, RULES[spec.name], {
      path: file.path,
      language: spec.name,
    });
    const analysis = { ...base, parsed: true, lines: countLines(content, comments), units, imports };
    return { analysis, symbols, comments };
  } finally {
    tree.delete();
  }
}

/** Language, line counts, units with complexity, and imports of one file. */
export async function analyzeFile(file: { path: string; content: string }): Promise<FileAnalysis> {
  return (await analyzeSource(file)).analysis;
}

/** The definitions in one file (empty for languages without a grammar). */
export async function indexFile(file: { path: string; content: string }): Promise<SymbolDef[]> {
  return (await analyzeSource(file)).symbols;
}
