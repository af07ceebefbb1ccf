import { z } from 'zod';

/**
 * What the analyzers produce (agent types code-analyzer, indexer, reviewer and the repository job's
 * chunks) and what the repository job reports. Lines are 1-based and inclusive.
 */

/** A file to analyse: inline content (uploads, batches) or a path under a root the agent can read. */
export const SourceFileSchema = z.object({
  /** Path relative to the repository root, with `/` separators. */
  path: z.string().min(1).max(4096),
  /** UTF-8 content; absent: the agent reads `<root>/<path>`. */
  content: z.string().optional(),
});
export type SourceFile = z.output<typeof SourceFileSchema>;

export const LineCountsSchema = z.object({
  code: z.int().min(0),
  comment: z.int().min(0),
  blank: z.int().min(0),
  total: z.int().min(0),
});
export type LineCounts = z.output<typeof LineCountsSchema>;

export const CODE_UNIT_KINDS = [
  'function',
  'method',
  'class',
  'interface',
  'struct',
  'enum',
  'trait',
  'impl',
] as const;

/** A function, method or type declaration found in a file. */
export const CodeUnitSchema = z.object({
  kind: z.enum(CODE_UNIT_KINDS),
  name: z.string(),
  startLine: z.int().min(1),
  endLine: z.int().min(1),
  /** McCabe cyclomatic complexity (1 + decision points); only for functions and methods. */
  complexity: z.int().min(1).optional(),
});
export type CodeUnit = z.output<typeof CodeUnitSchema>;

export const FileAnalysisSchema = z.object({
  path: z.string(),
  /** typescript, tsx, javascript, python, go, java, rust, or another name (then lines only). */
  language: z.string(),
  /** Whether the file was parsed (false: line counts only). */
  parsed: z.boolean(),
  bytes: z.int().min(0),
  lines: LineCountsSchema,
  units: z.array(CodeUnitSchema),
  imports: z.array(z.string()),
});
export type FileAnalysis = z.output<typeof FileAnalysisSchema>;

export const SYMBOL_KINDS = [
  'function',
  'method',
  'class',
  'interface',
  'type',
  'enum',
  'struct',
  'trait',
  'constant',
  'variable',
  'module',
] as const;

/** A definition in the symbol index (indexer). */
export const SymbolDefSchema = z.object({
  kind: z.enum(SYMBOL_KINDS),
  name: z.string().min(1),
  file: z.string(),
  startLine: z.int().min(1),
  endLine: z.int().min(1),
  /** The signature, or the definition's first line, trimmed (at most 300 characters). */
  signature: z.string(),
  language: z.string(),
});
export type SymbolDef = z.output<typeof SymbolDefSchema>;

export const FINDING_SEVERITIES = ['info', 'warning', 'error'] as const;

/** A reviewer finding. */
export const FindingSchema = z.object({
  file: z.string(),
  line: z.int().min(1),
  /** Stable rule id, e.g. complexity/high, size/long-function, todo/marker, secrets/hard-coded. */
  ruleId: z.string(),
  severity: z.enum(FINDING_SEVERITIES),
  message: z.string(),
});
export type Finding = z.output<typeof FindingSchema>;

export const ANALYZERS = ['code-analyzer', 'indexer', 'reviewer'] as const;
export type AnalyzerName = (typeof ANALYZERS)[number];
