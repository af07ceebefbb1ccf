import { analyzeFiles } from '@contextforge/analyzers';
import { ContextForgeClient } from '@contextforge/client';
import {
  languageTotalsOf,
  type LanguageTotals,
  type RepoReport,
  type TaskView,
} from '@contextforge/contracts';
import { deferred } from '@contextforge/testing';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { EmbeddedSystem } from '../src/embedded-system';
import { smallRepository } from './support/small-repository';
import { startTestSystem } from './support/start-test-system';

const BIN = join(__dirname, '..', '..', '..', 'bin', 'contextforge.cjs');

interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the real `contextforge` bin as a child process. */
function contextforge(
  args: string[],
  options: { env?: Record<string, string>; cwd?: string } = {},
): Promise<CliRun> {
  const env = { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '', ...options.env };
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { env, cwd: options.cwd ?? mkdtempSync(join(tmpdir(), 'cf-cli-')), timeout: 60_000 },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== 'number') reject(error);
        else resolve({ code: typeof error?.code === 'number' ? error.code : 0, stdout, stderr });
      },
    );
  });
}

/** A URL where nothing listens (a port that was just free). */
async function closedUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

/** The CLI as a child process against the real embedded system. */
describe('contextforge CLI against the embedded system', () => {
  let system: EmbeddedSystem;
  let client: ContextForgeClient;
  let env: Record<string, string>;
  const workspace = mkdtempSync(join(tmpdir(), 'cf-cli-workspace-'));

  beforeAll(async () => {
    system = await startTestSystem({ CONTEXTFORGE__EMBEDDED__AGENTS: '2' }, { workspaceDir: workspace });
    const token = system.credentials?.clientToken ?? '';
    client = new ContextForgeClient({ baseUrl: system.url, token });
    env = { CONTEXTFORGE_GATEWAY: system.url, CF_TOKEN: token };
  });

  afterAll(async () => {
    await system?.stop();
  });

  const when = (predicate: (task: TaskView) => boolean): Promise<TaskView> => {
    const seen = deferred<TaskView>();
    const unsubscribe = system.onTaskChanged((task) => {
      if (predicate(task)) seen.resolve(task);
    });
    return seen.promise.finally(unsubscribe);
  };

  it('prints help and exits 0; a usage error exits 2', async () => {
    const help = await contextforge(['--help']);
    expect(help).toMatchObject({ code: 0, stderr: '' });
    expect(help.stdout).toContain('tasks watch <id>');
    const usage = await contextforge(['tasks', 'get']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('missing <id>');
  });

  it('tasks ls, get and watch a task that succeeds', async () => {
    const done = when((task) => task.type === 'echo' && task.status === 'succeeded');
    const { taskId } = await client.submitTask({ type: 'echo', input: { from: 'cli' } });
    expect((await done).id).toBe(taskId);

    const listed = await contextforge(['tasks', 'ls', '--type', 'echo', '--all'], { env });
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(new RegExp(`${taskId}\\s+echo\\s+succeeded\\s+local-agent-`));

    const json = await contextforge(['tasks', 'get', taskId, '--json'], { env });
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({
      task: { id: taskId, status: 'succeeded' },
      result: { output: { from: 'cli' } },
    });

    const watched = await contextforge(['tasks', 'watch', taskId], { env });
    expect(watched.code).toBe(0);
    expect(
      watched.stdout
        .trim()
        .split('\n')
        .map((line) => line.split('  ').slice(0, 2).join(' ')),
    ).toEqual(['#1 queued', '#2 dispatched', '#3 started', '#4 succeeded']);
    expect(watched.stderr).toContain(`Task ${taskId} succeeded.`);
  });

  it('tasks watch follows a running task until it is cancelled (exit 1), and tasks cancel', async () => {
    const running = when((task) => task.type === 'sleep' && task.status === 'running');
    const { taskId } = await client.submitTask({ type: 'sleep', input: { ms: 60_000 }, timeoutMs: 120_000 });
    await running;
    const watching = contextforge(['tasks', 'watch', taskId, '--json'], { env });
    const cancelled = await contextforge(['tasks', 'cancel', taskId], { env });
    expect(cancelled).toMatchObject({ code: 0, stdout: `Cancelled ${taskId} (sleep).\n` });
    const watched = await watching;
    expect(watched.code).toBe(1);
    const events = watched.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { seq: number; event: { type: string } });
    expect(events.map((event) => event.seq)).toEqual(events.map((_, index) => index + 1));
    expect(events.at(-1)?.event.type).toBe('cancelled');

    const again = await contextforge(['tasks', 'cancel', taskId], { env });
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('TASK_ALREADY_FINAL');
  });

  it('agents ls lists the local agents, reading the token from .contextforge/credentials.json', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'cf-cli-creds-'));
    mkdirSync(join(cwd, '.contextforge'));
    writeFileSync(
      join(cwd, '.contextforge', 'credentials.json'),
      JSON.stringify({ gatewayUrl: system.url, clientToken: system.credentials?.clientToken }),
    );
    const agents = await contextforge(['agents', 'ls'], { cwd });
    expect(agents.code).toBe(0);
    expect(agents.stdout).toMatch(/^ID\s+TYPE\s+STATUS/);
    expect(agents.stdout).toMatch(/local-agent-1\s+\S+\s+healthy\s+closed/);
    expect(agents.stdout).toMatch(/local-agent-2\s+\S+\s+healthy\s+closed/);
  });

  it('exits 3 for a rejected token, 4 for an unknown task and 5 for an unreachable gateway', async () => {
    const rejected = await contextforge(['tasks', 'ls', '--token', 'not-a-jwt'], {
      env: { CONTEXTFORGE_GATEWAY: system.url },
    });
    expect(rejected.code).toBe(3);
    expect(rejected.stderr).toContain('UNAUTHENTICATED, HTTP 401');

    const missing = await contextforge(['tasks', 'get', '00000000-0000-4000-8000-000000000000'], { env });
    expect(missing.code).toBe(4);
    expect(missing.stderr).toContain('TASK_NOT_FOUND');

    const nowhere = await closedUrl();
    const unreachable = await contextforge(['agents', 'ls', '--gateway', nowhere, '--token', 't']);
    expect(unreachable.code).toBe(5);
    expect(unreachable.stderr).toContain(`cannot reach the gateway at ${nowhere}: ECONNREFUSED`);
  });

  /** The summary row of one language: files, code, comment, blank (as `analyze` prints them). */
  const summaryRow = (stdout: string, language: string): number[] | undefined => {
    const line = stdout.split('\n').find((row) => row.split(/\s+/)[0] === language);
    return line
      ?.trim()
      .split(/\s+/)
      .slice(1, 5)
      .map((cell) => Number(cell));
  };
  const counts = (totals: LanguageTotals | undefined) =>
    totals ? [totals.files, totals.code, totals.comment, totals.blank] : undefined;

  it('analyze <dir>: progress, a summary with the per-language totals, and both report files', async () => {
    const repo = smallRepository();
    const cwd = mkdtempSync(join(tmpdir(), 'cf-cli-analyze-'));
    const run = await contextforge(['analyze', repo.root, '--chunk-bytes', '100'], { env, cwd });
    expect(run.stderr).toContain(`submitted for ${repo.root}`);
    expect(run.code).toBe(0);

    // Hand-counted lines (see smallRepository), and the same as one analyzeFiles call over the tree.
    const single = await analyzeFiles(
      repo.files.map((path) => ({ path })),
      { analyzers: ['code-analyzer'], root: repo.root },
    );
    const expected = languageTotalsOf(single.files);
    expect(summaryRow(run.stdout, 'typescript')).toEqual([2, 5, 2, 1]);
    expect(summaryRow(run.stdout, 'python')).toEqual([1, 4, 1, 0]);
    expect(summaryRow(run.stdout, 'go')).toEqual([1, 3, 0, 1]);
    expect(summaryRow(run.stdout, 'total')).toEqual([4, 12, 3, 2]);
    for (const language of ['typescript', 'python', 'go']) {
      expect(summaryRow(run.stdout, language)).toEqual(counts(expected[language]));
    }
    expect(run.stdout).toContain('Findings: 1 (1 info)');
    expect(run.stdout).toMatch(/Symbols indexed: [1-9]/);

    // The progress bar (one line per change without a terminal) ends at every chunk done.
    const bars = run.stderr.split('\n').filter((line) => line.includes(' chunks'));
    expect(bars.at(-1)).toMatch(/^\[#+\] 100% {2}(\d+)\/\1 chunks/);
    expect(bars.length).toBeGreaterThan(2);

    const json = JSON.parse(readFileSync(join(cwd, 'contextforge-report.json'), 'utf8')) as {
      meta: { jobId: string };
      report: RepoReport;
    };
    expect(json.report.languages).toEqual(expected);
    expect(json.report).toMatchObject({ root: repo.root, complete: true });
    expect((await client.getTask(json.meta.jobId)).type).toBe('repo-analysis');
    const markdown = readFileSync(join(cwd, 'contextforge-report.md'), 'utf8');
    expect(markdown).toContain(`# ContextForge analysis of \`${repo.root}\``);
    expect(markdown).toContain('| typescript | 2 | 5 | 2 | 1 |');
  });

  it('analyze --upload packs and uploads the directory; --out and --json', async () => {
    const repo = smallRepository();
    writeFileSync(join(repo.root, 'src', 'big name with spaces.ts'), 'export const x = 1;\n');
    mkdirSync(join(repo.root, 'node_modules', 'dep'), { recursive: true });
    writeFileSync(join(repo.root, 'node_modules', 'dep', 'index.js'), 'module.exports = 1;\n');
    const cwd = mkdtempSync(join(tmpdir(), 'cf-cli-upload-'));
    const run = await contextforge(['analyze', repo.root, '--upload', '--out', 'reports', '--json'], {
      env,
      cwd,
    });
    expect(run.stderr).toContain('Uploaded 5 files');
    expect(run.code).toBe(0);
    const { report } = JSON.parse(run.stdout) as { report: RepoReport };
    expect(report.root.startsWith(workspace)).toBe(true);
    expect(report.totals).toMatchObject({ files: 5, code: 13, comment: 3, blank: 2 });
    expect(report.languages['typescript']).toMatchObject({ files: 3, code: 6 });
    expect(existsSync(join(cwd, 'reports', 'contextforge-report.json'))).toBe(true);
    expect(existsSync(join(cwd, 'reports', 'contextforge-report.md'))).toBe(true);
  });

  it('analyze exits 1 when the job does not succeed (cancelled while it runs)', async () => {
    const repo = smallRepository();
    for (let index = 0; index < 40; index += 1) {
      writeFileSync(join(repo.root, `extra-${index}.ts`), `export const v${index} = ${index};\n`);
    }
    const jobStarted = when((task) => task.type === 'repo-chunk' && task.status === 'succeeded');
    const running = contextforge(['analyze', repo.root, '--chunk-bytes', '1'], { env });
    const chunk = await jobStarted;
    await client.cancelTask(chunk.parentId ?? '');
    const run = await running;
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`Job ${chunk.parentId} cancelled`);
  });

  it('search prints the ranked symbols of this client’s indexer results', async () => {
    const name = `heron${randomUUID().replace(/-/g, '').slice(0, 8)}`;
    const { taskId } = await client.submitTask({
      type: 'indexer',
      input: {
        files: [
          {
            path: 'lib/birds.py',
            content: `class ${name}Nest:\n    def ${name}_fly(self, height):\n        return height\n`,
          },
        ],
      },
    });
    let last: string | undefined;
    for await (const { event } of client.streamTask(taskId)) last = event.type;
    expect(last).toBe('succeeded');

    const run = await contextforge(['search', name], { env });
    expect(run.code).toBe(0);
    const lines = run.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^#\s+LOCATION\s+KIND\s+NAME\s+SIGNATURE$/);
    expect(
      lines.slice(1).map((line) =>
        line
          .trim()
          .split(/\s{2,}/)
          .slice(1, 4),
      ),
    ).toEqual(
      expect.arrayContaining([
        ['lib/birds.py:1', 'class', `${name}Nest`],
        ['lib/birds.py:2', 'method', `${name}_fly`],
      ]),
    );
    expect(lines).toHaveLength(3);

    const filtered = await contextforge(['search', name, '--kind', 'method', '--json'], { env });
    expect(
      (JSON.parse(filtered.stdout) as { results: Array<{ symbol: { name: string } }> }).results.map(
        (hit) => hit.symbol.name,
      ),
    ).toEqual([`${name}_fly`]);

    const none = await contextforge(['search', `${name}zzz`], { env });
    expect(none).toMatchObject({ code: 0, stdout: `No symbols match "${name}zzz".\n` });
  });
});
