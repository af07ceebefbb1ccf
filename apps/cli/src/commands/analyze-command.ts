import { ContextForgeError } from '@contextforge/client';
import { RepoReportSchema, SubmitTaskResponseSchema, type RepoReport } from '@contextforge/contracts';
import { mkdir, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { CommandContext, CommandSpec } from '../command';
import { EXIT_CODES, UnavailableError, UsageError } from '../exit-codes';
import { renderProgressBar, type ProgressState } from '../format/progress-bar';
import { renderJsonReport } from '../report/json-report';
import { renderMarkdownReport } from '../report/markdown-report';
import { formatReportSummary } from '../report/report-summary';

/**
 * `analyze <dir>`: submits the directory as one repository job (POST /jobs/repository), shows a
 * progress bar from the job's task stream (its `progress` events count chunks), then prints a
 * summary table and writes contextforge-report.json and contextforge-report.md.
 *
 * The job endpoint is being built; until a gateway has it this command exits 6 with a clear
 * message. Still to do when it lands: uploading a .tar.gz when the agents cannot read the path,
 * and checking the request and answer shapes against the route's schemas.
 */
export const analyze: CommandSpec = {
  path: ['analyze'],
  args: '<dir>',
  summary: 'Analyse a repository on the agents and write JSON and Markdown reports',
  details: [
    'The directory must be readable by the agents (same machine or a shared volume).',
    'Exit code 0 when every file was analysed, 1 when the report is incomplete or the job failed.',
  ],
  options: {
    out: {
      type: 'string',
      valueName: 'dir',
      description: 'Where to write the reports (default: the current directory)',
    },
  },
  positionals: { min: 1, max: 1 },
  async run(context, { values, positionals }) {
    const root = resolve(context.io.cwd, positionals[0] ?? '.');
    const info = await stat(root).catch(() => undefined);
    if (!info?.isDirectory()) throw new UsageError(`${root} is not a directory`);
    const outDir = resolve(context.io.cwd, typeof values['out'] === 'string' ? values['out'] : '.');
    const client = context.client();

    let jobId: string;
    try {
      const answer = await client.request('POST', '/jobs/repository', {
        body: { source: { path: root } },
        schema: SubmitTaskResponseSchema,
        ...(context.io.signal ? { signal: context.io.signal } : {}),
      });
      jobId = answer.taskId;
    } catch (error) {
      if (error instanceof ContextForgeError && error.code === 'ROUTE_NOT_FOUND') {
        throw new UnavailableError(
          'repository analysis is not available on this gateway (it has no POST /jobs/repository yet)',
        );
      }
      throw error;
    }
    context.note(`Job ${jobId} submitted for ${root}\n`);

    const status = await followProgress(context, jobId);
    if (context.io.signal?.aborted) return EXIT_CODES.interrupted;
    if (status !== 'succeeded') {
      const task = await client.getTask(jobId);
      context.note(`Job ${jobId} ${task.status}${task.lastError ? `: ${task.lastError.message}` : ''}\n`);
      return EXIT_CODES.failed;
    }
    const result = await client.getResult(jobId);
    const report = RepoReportSchema.parse(result.output) as RepoReport;
    const meta = { jobId, gateway: client.baseUrl, generatedAt: new Date().toISOString() };
    await mkdir(outDir, { recursive: true });
    const jsonPath = join(outDir, 'contextforge-report.json');
    const markdownPath = join(outDir, 'contextforge-report.md');
    await writeFile(jsonPath, renderJsonReport(report, meta));
    await writeFile(markdownPath, renderMarkdownReport(report, meta));
    if (context.json) context.out(renderJsonReport(report, meta));
    else context.out(formatReportSummary(report));
    context.note(`Reports: ${jsonPath}, ${markdownPath}\n`);
    return report.complete ? EXIT_CODES.ok : EXIT_CODES.failed;
  },
};

/** Streams the job's events, drawing the progress bar on stderr; resolves with the final status. */
async function followProgress(context: CommandContext, jobId: string): Promise<string | undefined> {
  const tty = context.io.stderr.isTTY === true;
  const state: ProgressState = { done: 0 };
  let status: string | undefined;
  let drawn = '';
  for await (const { event } of context.client().streamTask(jobId, {
    ...(context.io.signal ? { signal: context.io.signal } : {}),
  })) {
    if (event.type === 'progress') {
      state.done = event.progress.done;
      if (event.progress.total !== undefined) state.total = event.progress.total;
      if (event.progress.message !== undefined) state.message = event.progress.message;
      const line = renderProgressBar(state);
      if (line !== drawn) {
        context.io.stderr.write(tty ? `\r${line}` : `${line}\n`);
        drawn = line;
      }
    }
    if (event.type === 'succeeded' || event.type === 'cancelled' || event.type === 'dead_lettered')
      status = event.type;
  }
  if (tty && drawn) context.io.stderr.write('\n');
  return status;
}
