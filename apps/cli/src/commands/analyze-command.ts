import type { ContextForgeClient, RepositoryJobSource, SubmittedJob } from '@contextforge/client';
import { MAX_CHUNK_BYTES, type RepoReport, type TaskView } from '@contextforge/contracts';
import { mkdir, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { packDirectory, type PackStats } from '../archive/pack-directory';
import type { CommandContext, CommandSpec } from '../command';
import { EXIT_CODES, UsageError } from '../exit-codes';
import { renderProgressBar, type ProgressState } from '../format/progress-bar';
import { renderJsonReport } from '../report/json-report';
import { renderMarkdownReport } from '../report/markdown-report';
import { formatReportSummary } from '../report/report-summary';

export const REPORT_FILES = { json: 'contextforge-report.json', markdown: 'contextforge-report.md' } as const;

/**
 * `analyze <dir>`: submits the directory as one repository job (POST /jobs/repository): its
 * absolute path, which the agents must be able to read, or with `--upload` the directory packed
 * as a .tar.gz. Draws a progress bar from the job's `progress` events (chunks done/total), then
 * prints a summary and writes the JSON and Markdown reports. Exit 0 when every file was analysed,
 * 1 when the report lists missing files or the job did not succeed; Ctrl-C cancels the job.
 */
export const analyze: CommandSpec = {
  path: ['analyze'],
  args: '<dir>',
  summary: 'Analyse a repository on the agents and write JSON and Markdown reports',
  details: [
    'Sends the absolute path of <dir>: the agents must be able to read it (same machine, as with',
    '`npm start`, or a shared volume). With --upload the directory is packed as a .tar.gz (without',
    '.git, node_modules, dist and the other default excludes, and without symbolic links) and uploaded',
    '(at most the gateway body limit, 100 MB by default).',
    `Writes ${REPORT_FILES.json} and ${REPORT_FILES.markdown} into --out (default: the current directory).`,
    'Exit code 0 when every file was analysed, 1 when files are missing or the job failed.',
    'Ctrl-C cancels the job (and every chunk) and exits 130.',
  ],
  options: {
    upload: { type: 'boolean', description: 'Upload the directory as a .tar.gz instead of sending its path' },
    out: {
      type: 'string',
      valueName: 'dir',
      description: 'Where to write the reports (default: the current directory)',
    },
    'chunk-bytes': {
      type: 'string',
      valueName: 'n',
      description: 'Target bytes per chunk (default 262144, the gateway’s default)',
    },
  },
  positionals: { min: 1, max: 1 },
  async run(context, { values, positionals }) {
    const root = resolve(context.io.cwd, positionals[0] ?? '.');
    const info = await stat(root).catch(() => undefined);
    if (!info?.isDirectory()) throw new UsageError(`${root} is not a directory`);
    const outDir = resolve(context.io.cwd, typeof values['out'] === 'string' ? values['out'] : '.');
    const chunkBytes = parseChunkBytes(values['chunk-bytes']);
    const upload = values['upload'] === true;
    const client = context.client();

    const submitted = upload
      ? await submitUpload(context, client, root, chunkBytes)
      : await client.submitRepositoryJob(
          { path: root, ...(chunkBytes ? { chunkBytes } : {}) },
          { signal: context.io.signal },
        );
    const { jobId } = submitted;
    context.note(`Job ${jobId} submitted for ${root}\n`);

    const status = await followProgress(context, client, jobId);
    if (context.io.signal?.aborted) {
      await client.cancelTask(jobId).then(
        () => context.note(`Cancelled job ${jobId}.\n`),
        () =>
          context.note(`Job ${jobId} could not be cancelled; run \`contextforge tasks cancel ${jobId}\`.\n`),
      );
      return EXIT_CODES.interrupted;
    }
    if (status !== 'succeeded') {
      reportFailure(context, await client.getTask(jobId), root, upload);
      return EXIT_CODES.failed;
    }

    const report = await client.getRepositoryReport(jobId);
    const meta = { jobId, gateway: client.baseUrl, generatedAt: new Date().toISOString() };
    await mkdir(outDir, { recursive: true });
    const jsonPath = join(outDir, REPORT_FILES.json);
    const markdownPath = join(outDir, REPORT_FILES.markdown);
    await writeFile(jsonPath, renderJsonReport(report, meta));
    await writeFile(markdownPath, renderMarkdownReport(report, meta));
    context.out(context.json ? renderJsonReport(report, meta) : formatReportSummary(report));
    context.note(`Reports: ${jsonPath}, ${markdownPath}\n`);
    return analyzeExitCode(report);
  },
};

/** 0 when every file was analysed; 1 when the report lists missing files. */
export function analyzeExitCode(report: RepoReport): number {
  return report.complete && report.missing.count === 0 ? EXIT_CODES.ok : EXIT_CODES.failed;
}

function parseChunkBytes(value: string | boolean | undefined): number | undefined {
  if (value === undefined) return undefined;
  const bytes = Number(value);
  if (!Number.isInteger(bytes) || bytes < 1 || bytes > MAX_CHUNK_BYTES) {
    throw new UsageError(`--chunk-bytes must be an integer from 1 to ${MAX_CHUNK_BYTES}`);
  }
  return bytes;
}

/** Packs `root` while uploading it; a packing failure is reported as such, not as a network error. */
async function submitUpload(
  context: CommandContext,
  client: ContextForgeClient,
  root: string,
  chunkBytes: number | undefined,
): Promise<SubmittedJob> {
  const { stream, stats } = packDirectory(root);
  let packError: Error | undefined;
  stream.on('error', (error) => (packError ??= error));
  const source: RepositoryJobSource = {
    archive: Readable.toWeb(stream) as ReadableStream<Uint8Array>,
    ...(chunkBytes ? { chunkBytes } : {}),
  };
  context.note(`Packing and uploading ${root}...\n`);
  let submitted: SubmittedJob;
  try {
    submitted = await client.submitRepositoryJob(source, { signal: context.io.signal });
  } catch (error) {
    if (packError) throw new Error(`cannot pack ${root}: ${packError.message}`, { cause: packError });
    throw error;
  } finally {
    stream.destroy();
  }
  context.note(describeUpload(stats));
  return submitted;
}

function describeUpload(stats: PackStats): string {
  const skipped =
    stats.skipped.length === 0
      ? ''
      : `; left out ${stats.skipped.length} links or special files (${stats.skipped.slice(0, 3).join(', ')}${stats.skipped.length > 3 ? ', ...' : ''})`;
  return `Uploaded ${stats.files} files (${stats.bytes} bytes before compression)${skipped}\n`;
}

/** Streams the job's events, drawing the progress bar on stderr; resolves with the final status. */
async function followProgress(
  context: CommandContext,
  client: ContextForgeClient,
  jobId: string,
): Promise<string | undefined> {
  const tty = context.io.stderr.isTTY === true;
  const state: ProgressState = { done: 0, message: 'scanning' };
  let status: string | undefined;
  let drawn = '';
  const draw = () => {
    const line = renderProgressBar(state);
    if (line === drawn) return;
    // On a terminal the bar is redrawn in place (padded over a longer earlier line).
    context.io.stderr.write(tty ? `\r${line.padEnd(drawn.length)}` : `${line}\n`);
    drawn = line;
  };
  draw();
  for await (const { event } of client.streamTask(jobId, { signal: context.io.signal })) {
    if (event.type === 'progress') {
      state.done = event.progress.done;
      if (event.progress.total !== undefined) state.total = event.progress.total;
      state.message = event.progress.message;
      draw();
    }
    if (event.type === 'succeeded' || event.type === 'cancelled' || event.type === 'dead_lettered')
      status = event.type;
  }
  if (tty && drawn) context.io.stderr.write('\n');
  return status;
}

function reportFailure(context: CommandContext, job: TaskView, root: string, upload: boolean): void {
  const why = job.lastError ? `: ${job.lastError.code}: ${job.lastError.message}` : '';
  context.note(`Job ${job.id} ${job.status}${why}\n`);
  if (!upload && job.lastError?.message.includes('scan')) {
    context.note(
      `  The agents could not read ${root}. If the gateway runs on another machine, add --upload.\n`,
    );
  }
}
