import { defineAgentType } from '@contextforge/agent-sdk';
import {
  AppError,
  DEFAULT_SCAN_EXCLUDES,
  REPO_JOB_TASK_TYPES,
  RepoScanInputSchema,
  repositoryRootProblem,
  type RepoScanInput,
  type RepoScanOutput,
  type ScannedFile,
  type SkippedFile,
} from '@contextforge/contracts';
import { open, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { globMatcher } from './glob';

/** Bytes read from the head of each file to tell binary files (a NUL byte) from text. */
const SNIFF_BYTES = 8 * 1024;

/**
 * Step one of a repository job: lists the regular files under `root` with their sizes, for the
 * coordinator to split into chunks. Symbolic links are not followed and special files are
 * ignored (so nothing outside the root is listed); directories and files matching `exclude` (and
 * DEFAULT_SCAN_EXCLUDES unless `useDefaultExcludes` is false) are left out, and with `include`
 * only matching files count. Binary files (a NUL byte in the first 8 KiB) and files above
 * `maxFileBytes` are listed as skipped, not analysed. Output sorted by path.
 */
export const repoScanAgentType = defineAgentType<RepoScanInput, RepoScanOutput>({
  name: REPO_JOB_TASK_TYPES.scan,
  version: '1.0.0',
  input: RepoScanInputSchema,
  async handler(input, { signal, progress }) {
    const problem = repositoryRootProblem(input.root);
    if (problem) throw new AppError('VALIDATION_FAILED', `root ${problem}`);
    const rootInfo = await stat(input.root).catch(() => undefined);
    if (!rootInfo?.isDirectory()) {
      throw new AppError('VALIDATION_FAILED', `root ${input.root} is not a directory this agent can read`);
    }
    const excluded = globMatcher([
      ...(input.useDefaultExcludes ? DEFAULT_SCAN_EXCLUDES : []),
      ...(input.exclude ?? []),
    ]);
    const included = input.include?.length ? globMatcher(input.include) : () => true;
    const files: ScannedFile[] = [];
    const skipped: SkippedFile[] = [];
    const pending = [''];
    while (pending.length > 0) {
      signal.throwIfAborted();
      const directory = pending.pop() as string;
      const entries = await readdir(join(input.root, directory), { withFileTypes: true });
      for (const entry of entries) {
        const path = directory === '' ? entry.name : `${directory}/${entry.name}`;
        if (entry.isDirectory()) {
          if (!excluded(`${path}/`)) pending.push(path);
          continue;
        }
        if (!entry.isFile() || excluded(path) || !included(path)) continue;
        const absolute = join(input.root, path);
        const { size } = await stat(absolute);
        if (size > input.maxFileBytes) skipped.push({ path, bytes: size, reason: 'too-large' });
        else if (await looksBinary(absolute)) skipped.push({ path, bytes: size, reason: 'binary' });
        else files.push({ path, bytes: size });
        if ((files.length + skipped.length) % 500 === 0) {
          progress(files.length + skipped.length, undefined, `listed ${files.length} files`);
        }
      }
    }
    const byPath = (a: { path: string }, b: { path: string }) =>
      a.path < b.path ? -1 : a.path > b.path ? 1 : 0;
    files.sort(byPath);
    skipped.sort(byPath);
    return { files, skipped, totalBytes: files.reduce((sum, file) => sum + file.bytes, 0) };
  },
});

async function looksBinary(path: string): Promise<boolean> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(SNIFF_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, SNIFF_BYTES, 0);
    return buffer.subarray(0, bytesRead).includes(0);
  } finally {
    await handle.close();
  }
}
