import { z } from 'zod';
import {
  ANALYZERS,
  FindingSchema,
  SymbolDefSchema,
  type FileAnalysis,
  type Finding,
  type SymbolDef,
} from './analysis';

/**
 * Use case 1, distributed repository analysis: one job (a parent task of type `repo-analysis`)
 * that the scheduler's JobCoordinator runs as child tasks: one `repo-scan` (list the files), then
 * `repo-chunk` tasks over chunks of balanced size, and finally one aggregated RepoReport as the
 * job's result. Children carry `parentId` = the job's id and the job's clientId.
 *
 * The aggregate is additive: per-language totals are sums over files, hotspots the top N of the
 * union, counts of findings sums; so the report of a tree is the same whatever the chunk
 * boundaries (what a single agent analysing every file would report).
 */
export const REPO_JOB_TASK_TYPES = {
  job: 'repo-analysis',
  scan: 'repo-scan',
  chunk: 'repo-chunk',
} as const;

export const DEFAULT_CHUNK_BYTES = 256 * 1024;
export const MAX_CHUNK_BYTES = 4 * 1024 * 1024;
/** Files above this size are skipped by the scan (listed in the report), unless the job says otherwise. */
export const DEFAULT_MAX_FILE_BYTES = 2 * 1024 * 1024;
export const DEFAULT_CHUNK_TIMEOUT_MS = 5 * 60_000;
/** A repository job's overall deadline (the parent task's timeoutMs), counted from its submission. */
export const DEFAULT_REPO_JOB_TIMEOUT_MS = 60 * 60_000;
/** How many hotspots (functions by complexity) a chunk and the report keep. */
export const HOTSPOT_LIMIT = 50;
/**
 * Findings the report lists (counts are complete; the list is cut). A chunk returns as many, so
 * the report's list (the top of the union of the chunks' tops) is the top of the whole tree.
 */
export const REPORT_FINDINGS_LIMIT = 1000;
export const CHUNK_FINDINGS_LIMIT = REPORT_FINDINGS_LIMIT;
/** Symbols a chunk returns for the index (symbolCount is complete). */
export const CHUNK_SYMBOLS_LIMIT = 5000;
/** Missing and skipped files the report lists by name (counts are complete). */
export const REPORT_FILES_LIMIT = 1000;

/**
 * Excluded unless `useDefaultExcludes: false`: version control, dependencies, build outputs and
 * caches, which are not the repository's own code and would dominate the totals.
 */
export const DEFAULT_SCAN_EXCLUDES: readonly string[] = [
  '**/.git/**',
  '**/.hg/**',
  '**/.svn/**',
  '**/node_modules/**',
  '**/.nx/**',
  '**/dist/**',
  '**/coverage/**',
  '**/__pycache__/**',
  '**/.venv/**',
  '**/target/**',
];

const glob = z.string().min(1).max(500);
const analyzers = z.array(z.enum(ANALYZERS)).min(1).max(ANALYZERS.length);

/** The input of a `repo-analysis` job (what POST /jobs/repository builds). */
export const RepoAnalysisInputSchema = z.strictObject({
  /** Absolute directory the agents can read (same machine, or a volume shared with them). */
  root: z.string().min(1).max(4096),
  analyzers: analyzers.default([...ANALYZERS]),
  /** Target bytes per chunk (1 byte to 4 MiB; default 256 KiB). */
  chunkBytes: z.int().min(1).max(MAX_CHUNK_BYTES).default(DEFAULT_CHUNK_BYTES),
  /** Globs (`*`, `**`, `?`) over paths relative to root; when given, only matching files count. */
  include: z.array(glob).max(100).optional(),
  exclude: z.array(glob).max(100).optional(),
  useDefaultExcludes: z.boolean().default(true),
  maxFileBytes: z.int().min(1).max(MAX_CHUNK_BYTES).default(DEFAULT_MAX_FILE_BYTES),
  /** Timeout of each chunk task (each is retried up to the job's maxAttempts). */
  chunkTimeoutMs: z.int().min(1).max(3_600_000).default(DEFAULT_CHUNK_TIMEOUT_MS),
});
export type RepoAnalysisInput = z.output<typeof RepoAnalysisInputSchema>;

export const RepoScanInputSchema = z.object({
  root: z.string().min(1).max(4096),
  include: z.array(glob).max(100).optional(),
  exclude: z.array(glob).max(100).optional(),
  useDefaultExcludes: z.boolean().default(true),
  maxFileBytes: z.int().min(1).default(DEFAULT_MAX_FILE_BYTES),
});
export type RepoScanInput = z.output<typeof RepoScanInputSchema>;

export interface ScannedFile {
  /** Relative to the root, `/`-separated. */
  path: string;
  bytes: number;
}

export interface SkippedFile extends ScannedFile {
  reason: 'binary' | 'too-large';
}

/** The result of `repo-scan`: regular files only (symlinks are not followed), sorted by path. */
export interface RepoScanOutput {
  files: ScannedFile[];
  skipped: SkippedFile[];
  totalBytes: number;
}

export const RepoScanOutputSchema = z.object({
  files: z.array(z.object({ path: z.string(), bytes: z.int().min(0) })),
  skipped: z.array(
    z.object({ path: z.string(), bytes: z.int().min(0), reason: z.enum(['binary', 'too-large']) }),
  ),
  totalBytes: z.int().min(0),
}) satisfies z.ZodType<RepoScanOutput>;

export const RepoChunkInputSchema = z.object({
  root: z.string().min(1).max(4096),
  files: z.array(z.string().min(1).max(4096)).min(1).max(100_000),
  analyzers: analyzers.default([...ANALYZERS]),
});
export type RepoChunkInput = z.output<typeof RepoChunkInputSchema>;

/** Sums over the files of one language (or all languages). */
export interface LanguageTotals {
  files: number;
  bytes: number;
  /** Lines: code, comment, blank and their sum. */
  code: number;
  comment: number;
  blank: number;
  lines: number;
  /** Functions and methods. */
  functions: number;
  /** Classes, interfaces, structs, enums, traits, impls. */
  types: number;
  /** Sum of the cyclomatic complexity of every function and method. */
  complexity: number;
}

/** A function or method with its complexity, for the hotspot list. */
export interface Hotspot {
  file: string;
  language: string;
  name: string;
  kind: string;
  startLine: number;
  endLine: number;
  complexity: number;
}

export interface FindingCounts {
  total: number;
  bySeverity: Record<string, number>;
  byRule: Record<string, number>;
}

/** The result of one `repo-chunk` task. */
export interface RepoChunkOutput {
  languages: Record<string, LanguageTotals>;
  /** Top HOTSPOT_LIMIT of the chunk (HOTSPOT_ORDER). */
  hotspots: Hotspot[];
  findingCounts: FindingCounts;
  /** At most CHUNK_FINDINGS_LIMIT (FINDING_ORDER); findingCounts has them all. */
  findings: Finding[];
  /** Every symbol, unless there are more than CHUNK_SYMBOLS_LIMIT (then the first ones). */
  symbols: SymbolDef[];
  symbolCount: number;
  /** Files the chunk could not analyse (vanished, unreadable, analyzer failure), with why. */
  errors: Array<{ path: string; message: string }>;
}

const totalsSchema = z.object({
  files: z.int(),
  bytes: z.int(),
  code: z.int(),
  comment: z.int(),
  blank: z.int(),
  lines: z.int(),
  functions: z.int(),
  types: z.int(),
  complexity: z.int(),
});
const hotspotSchema = z.object({
  file: z.string(),
  language: z.string(),
  name: z.string(),
  kind: z.string(),
  startLine: z.int(),
  endLine: z.int(),
  complexity: z.int(),
});
const findingCountsSchema = z.object({
  total: z.int(),
  bySeverity: z.record(z.string(), z.int()),
  byRule: z.record(z.string(), z.int()),
});

export const RepoChunkOutputSchema = z.object({
  languages: z.record(z.string(), totalsSchema),
  hotspots: z.array(hotspotSchema),
  findingCounts: findingCountsSchema,
  findings: z.array(FindingSchema),
  symbols: z.array(SymbolDefSchema),
  symbolCount: z.int().min(0),
  errors: z.array(z.object({ path: z.string(), message: z.string() })),
}) satisfies z.ZodType<RepoChunkOutput>;

/** The result of a `repo-analysis` job. */
export interface RepoReport {
  root: string;
  analyzers: string[];
  /** false when files are missing (failed chunks or files a chunk could not read). */
  complete: boolean;
  /** Files analysed (not skipped, not missing) and their bytes. */
  totals: LanguageTotals;
  languages: Record<string, LanguageTotals>;
  hotspots: Hotspot[];
  findings: FindingCounts & { items: Finding[]; truncated: boolean };
  index: { symbols: number };
  chunks: { total: number; succeeded: number; failed: number };
  /** Files left out by the scan on purpose (binary, too large). */
  skipped: { count: number; files: SkippedFile[] };
  /** Files that should have been analysed and were not, each with the reason. */
  missing: {
    count: number;
    files: Array<{ path: string; reason: string }>;
    /** Chunks that did not succeed: their task, final status and last error. */
    chunks: Array<{ index: number; taskId: string; status: string; reason: string; files: number }>;
  };
}

export const RepoReportSchema = z.object({
  root: z.string(),
  analyzers: z.array(z.string()),
  complete: z.boolean(),
  totals: totalsSchema,
  languages: z.record(z.string(), totalsSchema),
  hotspots: z.array(hotspotSchema),
  findings: findingCountsSchema.extend({ items: z.array(FindingSchema), truncated: z.boolean() }),
  index: z.object({ symbols: z.int() }),
  chunks: z.object({ total: z.int(), succeeded: z.int(), failed: z.int() }),
  skipped: z.object({
    count: z.int(),
    files: z.array(z.object({ path: z.string(), bytes: z.int(), reason: z.enum(['binary', 'too-large']) })),
  }),
  missing: z.object({
    count: z.int(),
    files: z.array(z.object({ path: z.string(), reason: z.string() })),
    chunks: z.array(
      z.object({
        index: z.int(),
        taskId: z.string(),
        status: z.string(),
        reason: z.string(),
        files: z.int(),
      }),
    ),
  }),
}) satisfies z.ZodType<RepoReport>;

// --- additive aggregation (shared by the chunks and the coordinator) --------------------------

export function emptyLanguageTotals(): LanguageTotals {
  return {
    files: 0,
    bytes: 0,
    code: 0,
    comment: 0,
    blank: 0,
    lines: 0,
    functions: 0,
    types: 0,
    complexity: 0,
  };
}

/** `into += add`, field by field. */
export function addLanguageTotals(into: LanguageTotals, add: LanguageTotals): LanguageTotals {
  for (const key of Object.keys(into) as Array<keyof LanguageTotals>) into[key] += add[key];
  return into;
}

/** Adds every language of `add` into `into` (mutates and returns `into`). */
export function mergeLanguages(
  into: Record<string, LanguageTotals>,
  add: Readonly<Record<string, LanguageTotals>>,
): Record<string, LanguageTotals> {
  for (const [language, totals] of Object.entries(add)) {
    into[language] = addLanguageTotals(into[language] ?? emptyLanguageTotals(), totals);
  }
  return into;
}

/** Per-language totals of analysed files. */
export function languageTotalsOf(files: readonly FileAnalysis[]): Record<string, LanguageTotals> {
  const languages: Record<string, LanguageTotals> = {};
  for (const file of files) {
    const totals = (languages[file.language] ??= emptyLanguageTotals());
    totals.files += 1;
    totals.bytes += file.bytes;
    totals.code += file.lines.code;
    totals.comment += file.lines.comment;
    totals.blank += file.lines.blank;
    totals.lines += file.lines.total;
    for (const unit of file.units) {
      if (unit.kind === 'function' || unit.kind === 'method') {
        totals.functions += 1;
        totals.complexity += unit.complexity ?? 1;
      } else {
        totals.types += 1;
      }
    }
  }
  return languages;
}

/** Highest complexity first, then by file, line and name: a total order, so top N is deterministic. */
export function compareHotspots(a: Hotspot, b: Hotspot): number {
  return (
    b.complexity - a.complexity ||
    compareStrings(a.file, b.file) ||
    a.startLine - b.startLine ||
    compareStrings(a.name, b.name)
  );
}

/** The functions and methods of `files`, as hotspots. */
export function hotspotsOf(files: readonly FileAnalysis[]): Hotspot[] {
  return files.flatMap((file) =>
    file.units
      .filter((unit) => unit.kind === 'function' || unit.kind === 'method')
      .map((unit) => ({
        file: file.path,
        language: file.language,
        name: unit.name,
        kind: unit.kind,
        startLine: unit.startLine,
        endLine: unit.endLine,
        complexity: unit.complexity ?? 1,
      })),
  );
}

/** The `limit` greatest of `hotspots` by compareHotspots (the top N of a union = top N of the tops). */
export function topHotspots(hotspots: readonly Hotspot[], limit: number = HOTSPOT_LIMIT): Hotspot[] {
  return [...hotspots].sort(compareHotspots).slice(0, limit);
}

const SEVERITY_RANK: Record<string, number> = { error: 0, warning: 1, info: 2 };

/** Most severe first, then by file, line and rule. */
export function compareFindings(a: Finding, b: Finding): number {
  return (
    (SEVERITY_RANK[a.severity] ?? 3) - (SEVERITY_RANK[b.severity] ?? 3) ||
    compareStrings(a.file, b.file) ||
    a.line - b.line ||
    compareStrings(a.ruleId, b.ruleId) ||
    compareStrings(a.message, b.message)
  );
}

export function findingCountsOf(findings: readonly Finding[]): FindingCounts {
  const counts: FindingCounts = { total: 0, bySeverity: {}, byRule: {} };
  for (const finding of findings) {
    counts.total += 1;
    counts.bySeverity[finding.severity] = (counts.bySeverity[finding.severity] ?? 0) + 1;
    counts.byRule[finding.ruleId] = (counts.byRule[finding.ruleId] ?? 0) + 1;
  }
  return counts;
}

export function addFindingCounts(into: FindingCounts, add: FindingCounts): FindingCounts {
  into.total += add.total;
  for (const [key, value] of Object.entries(add.bySeverity)) {
    into.bySeverity[key] = (into.bySeverity[key] ?? 0) + value;
  }
  for (const [key, value] of Object.entries(add.byRule)) into.byRule[key] = (into.byRule[key] ?? 0) + value;
  return into;
}

/** Code-unit order of strings (locale-independent, so every process sorts alike). */
function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * A chunk's output from the analysis of its files (what `repo-chunk` returns): the additive parts
 * in full, the lists cut to their limits in a deterministic order.
 */
export function repoChunkOutputOf(analysis: {
  files: readonly FileAnalysis[];
  findings: readonly Finding[];
  symbols: readonly SymbolDef[];
  errors: ReadonlyArray<{ path: string; message: string }>;
}): RepoChunkOutput {
  return {
    languages: languageTotalsOf(analysis.files),
    hotspots: topHotspots(hotspotsOf(analysis.files), HOTSPOT_LIMIT),
    findingCounts: findingCountsOf(analysis.findings),
    findings: [...analysis.findings].sort(compareFindings).slice(0, CHUNK_FINDINGS_LIMIT),
    symbols: analysis.symbols.slice(0, CHUNK_SYMBOLS_LIMIT),
    symbolCount: analysis.symbols.length,
    errors: [...analysis.errors],
  };
}

/**
 * Why `root` cannot be a job's root (undefined when it can): it must be absolute and have no `..`
 * segment. This is the whole check: agents read whatever the path names, so the gateway accepts
 * paths only from authenticated clients, and deployments mount on agents only what clients may
 * have analysed (see docs/repository-jobs.md).
 */
export function repositoryRootProblem(root: string): string | undefined {
  if (!/^(\/|[A-Za-z]:[\\/])/.test(root)) return 'must be an absolute path';
  if (root.split(/[\\/]/).includes('..')) return 'must not contain .. segments';
  if (root.includes('\0')) return 'must not contain NUL characters';
  return undefined;
}

/** The JSON body of POST /jobs/repository: a directory the agents can read, and job options. */
export const RepositoryJobRequestSchema = z.strictObject({
  source: z.strictObject({
    /** Absolute, without `..`; agents read it, so it must exist where they run (see the docs). */
    path: z.string().min(1).max(4096),
  }),
  analyzers: analyzers.optional(),
  chunkBytes: z.int().min(1).max(MAX_CHUNK_BYTES).optional(),
  include: z.array(glob).max(100).optional(),
  exclude: z.array(glob).max(100).optional(),
  useDefaultExcludes: z.boolean().optional(),
  maxFileBytes: z.int().min(1).max(MAX_CHUNK_BYTES).optional(),
  chunkTimeoutMs: z.int().min(1).max(3_600_000).optional(),
  priority: z.int().min(0).max(9).optional(),
  /** Attempts of each child task (scan and chunks), default 3. */
  maxAttempts: z.int().min(1).max(100).optional(),
  idempotencyKey: z.string().min(1).max(200).optional(),
});
export type RepositoryJobRequest = z.output<typeof RepositoryJobRequestSchema>;

const commaList = z
  .string()
  .max(2000)
  .transform((value) =>
    value
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item !== ''),
  );

/** The query of POST /jobs/repository with an uploaded archive (the body is the .tar.gz). */
export const RepositoryArchiveQuerySchema = z.strictObject({
  analyzers: commaList.pipe(analyzers).optional(),
  chunkBytes: z.coerce.number().int().min(1).max(MAX_CHUNK_BYTES).optional(),
  include: commaList.pipe(z.array(glob).max(100)).optional(),
  exclude: commaList.pipe(z.array(glob).max(100)).optional(),
  priority: z.coerce.number().int().min(0).max(9).optional(),
  maxAttempts: z.coerce.number().int().min(1).max(100).optional(),
  idempotencyKey: z.string().min(1).max(200).optional(),
});

/** The 202 answer of POST /jobs/repository; follow the job at /tasks/{jobId} and its stream. */
export const SubmitJobResponseSchema = z.object({
  jobId: z.uuid(),
  status: z.enum(['queued', 'dispatched', 'running', 'failed', 'succeeded', 'cancelled', 'dead_lettered']),
});
