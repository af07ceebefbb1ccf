import { readFile, stat } from 'node:fs/promises';
import { isAbsolute, join, normalize } from 'node:path';
import type { AnalyzerName, FileAnalysis, Finding, SourceFile, SymbolDef } from '@contextforge/contracts';
import { analyzeSource } from './analyze-file';
import { reviewFile } from './review-file';

/** Files larger than this are skipped (generated bundles, data): an error entry says so. */
export const MAX_FILE_BYTES = 2 * 1024 * 1024;

export interface AnalyzeFilesOptions {
  /** Which outputs to produce; the others stay empty. */
  analyzers: readonly AnalyzerName[];
  /** Directory that files without `content` are read from. */
  root?: string;
  /** Checked between files: an abort rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Called after each file, whether it succeeded or not. */
  onProgress?: (done: number, total: number, path: string) => void;
}

export interface FileError {
  path: string;
  message: string;
}

export interface AnalyzeFilesResult {
  files: FileAnalysis[];
  symbols: SymbolDef[];
  findings: Finding[];
  /** Files that were not analysed (missing, unreadable, binary, too large), with the reason. */
  errors: FileError[];
}

/** Analyses files one after another; a file that cannot be read or parsed becomes an error entry. */
export async function analyzeFiles(
  files: readonly SourceFile[],
  options: AnalyzeFilesOptions,
): Promise<AnalyzeFilesResult> {
  const wanted = new Set(options.analyzers);
  const result: AnalyzeFilesResult = { files: [], symbols: [], findings: [], errors: [] };
  let done = 0;
  for (const file of files) {
    options.signal?.throwIfAborted();
    try {
      const content = await contentOf(file, options.root);
      const source = await analyzeSource({ path: file.path, content });
      if (wanted.has('code-analyzer')) result.files.push(source.analysis);
      if (wanted.has('indexer')) result.symbols.push(...source.symbols);
      if (wanted.has('reviewer'))
        result.findings.push(...reviewFile(source.analysis, content, { comments: source.comments }));
    } catch (error) {
      result.errors.push({
        path: file.path,
        message: error instanceof Error ? error.message : String(error),
      });
    }
    options.onProgress?.(++done, files.length, file.path);
  }
  options.signal?.throwIfAborted();
  return result;
}

async function contentOf(file: SourceFile, root: string | undefined): Promise<string> {
  if (file.content !== undefined) {
    if (Buffer.byteLength(file.content, 'utf8') > MAX_FILE_BYTES) throw new Error(tooLarge());
    if (file.content.includes('\0')) throw new Error('binary file (contains NUL bytes)');
    return file.content;
  }
  if (root === undefined) throw new Error('no content and no root to read it from');
  const relative = normalize(file.path);
  if (isAbsolute(relative) || relative === '..' || relative.startsWith('../'))
    throw new Error('path leaves the root directory');
  const absolute = join(root, relative);
  const info = await stat(absolute).catch(() => undefined);
  if (!info?.isFile()) throw new Error('file not found');
  if (info.size > MAX_FILE_BYTES) throw new Error(tooLarge());
  const bytes = await readFile(absolute);
  if (bytes.includes(0)) throw new Error('binary file (contains NUL bytes)');
  return bytes.toString('utf8');
}

const tooLarge = () => `file larger than ${MAX_FILE_BYTES / 1024 / 1024} MB`;
