import type { RepoReport } from '@contextforge/contracts';
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';

/** Directories the repository scan leaves out by default (DEFAULT_SCAN_EXCLUDES). */
const EXCLUDED_DIRECTORIES = new Set([
  '.git',
  '.hg',
  '.svn',
  'node_modules',
  '.nx',
  'dist',
  'coverage',
  '__pycache__',
  '.venv',
  'target',
]);

/**
 * The files a repository job analysed: the regular files under `root` (symlinks not followed,
 * default excludes applied) less those its report lists as skipped or missing. Throws when the
 * count differs from the report's, so cloc is timed on exactly the job's input.
 */
export async function analysedFiles(root: string, report: RepoReport): Promise<{ paths: string[] }> {
  const left = new Set([...report.skipped.files, ...report.missing.files].map((file) => file.path));
  const paths: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory() && !EXCLUDED_DIRECTORIES.has(entry.name)) await walk(path);
      else if (entry.isFile() && !left.has(relative(root, path).split(sep).join('/'))) paths.push(path);
    }
  };
  await walk(root);
  if (paths.length !== report.totals.files)
    throw new Error(
      `found ${paths.length} files to count under ${root}, the job analysed ${report.totals.files}`,
    );
  return { paths };
}

export interface ClocRun {
  version: string;
  /** Files cloc counted (it ignores those of languages it does not know). */
  files: number;
  /** Wall time of the cloc process. */
  seconds: number;
}

/** Runs `cloc --list-file` over `paths` (cwd `root`) with its defaults and times it. */
export async function timeCloc(root: string, paths: readonly string[]): Promise<ClocRun> {
  const version = (await run('cloc', ['--version'], root)).stdout.trim();
  const dir = await mkdtemp(join(tmpdir(), 'contextforge-bench-cloc-'));
  try {
    const listFile = join(dir, 'files.txt');
    await writeFile(listFile, `${paths.join('\n')}\n`);
    const started = performance.now();
    const { stdout } = await run('cloc', ['--quiet', '--csv', `--list-file=${listFile}`], root);
    const seconds = (performance.now() - started) / 1000;
    const sum = stdout
      .split('\n')
      .map((line) => line.split(','))
      .find((cells) => cells[1] === 'SUM');
    return { version, files: Number(sum?.[0] ?? 0), seconds };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function run(command: string, args: string[], cwd: string): Promise<{ stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (data: Buffer) => (stdout += String(data)));
    child.stderr.on('data', (data: Buffer) => (stderr += String(data)));
    child.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'ENOENT'
          ? new Error(`${command} is not installed (apt-get install -y ${command})`)
          : error,
      ),
    );
    child.once('close', (code) =>
      code === 0
        ? resolve({ stdout })
        : reject(new Error(`${command} exited with ${code}: ${stderr.trim()}`)),
    );
  });
}
