import { analyzeFiles } from '@contextforge/analyzers';
import {
  languageTotalsOf,
  type RepoReport,
  type TaskResultView,
  type TaskView,
} from '@contextforge/contracts';
import { waitFor } from '@contextforge/testing';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { EmbeddedSystem } from '../src/embedded-system';
import { gatewayFetch, startTestSystem, taskChange } from './support/start-test-system';

/** A small repository in several languages, with TODO markers, a binary file and excluded folders. */
function fixtureTree(): { root: string; sources: string[] } {
  const root = mkdtempSync(join(tmpdir(), 'repo-job-'));
  const write = (path: string, content: string | Buffer) => {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), content);
  };
  const sources: string[] = [];
  for (let index = 0; index < 8; index += 1) {
    const branches = Array.from({ length: index }, (_, b) => `  if (x === ${b}) return ${b};`).join('\n');
    write(
      `src/ts/module-${index}.ts`,
      `// TODO: tidy ${index}\nexport function f${index}(x: number): number {\n${branches}\n  return -1;\n}\n`,
    );
    write(
      `src/js/util-${index}.js`,
      `/* helper */\nfunction g${index}(a) {\n  return a && a.b ? 1 : 0;\n}\nmodule.exports = { g${index} };\n`,
    );
    write(
      `py/pkg/mod_${index}.py`,
      `# FIXME ${index}\ndef h${index}(v):\n    for i in range(v):\n        if i > 2:\n            return i\n    return 0\n`,
    );
    sources.push(`src/ts/module-${index}.ts`, `src/js/util-${index}.js`, `py/pkg/mod_${index}.py`);
  }
  write('go/main.go', 'package main\n\nfunc main() {\n\tfor i := 0; i < 3; i++ {\n\t\tprintln(i)\n\t}\n}\n');
  write('rust/lib.rs', 'pub fn add(a: i32, b: i32) -> i32 {\n    if a > b { a } else { b }\n}\n');
  write('java/App.java', 'class App {\n  int run(int x) {\n    return x > 0 ? 1 : 0;\n  }\n}\n');
  write('README.md', '# Fixture\n\nText.\n');
  sources.push('go/main.go', 'rust/lib.rs', 'java/App.java', 'README.md');
  write('assets/logo.png', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x00]));
  write('node_modules/dep/index.js', 'module.exports = 1;\n');
  return { root, sources: sources.sort() };
}

/** A gzip-compressed ustar archive of these entries (enough of tar for the tests). */
function tarGz(entries: Array<{ name: string; content?: string; type?: string }>): Buffer {
  const blocks: Buffer[] = [];
  for (const entry of entries) {
    const content = Buffer.from(entry.content ?? '');
    const header = Buffer.alloc(512);
    header.write(entry.name, 0, 100, 'utf8');
    header.write('0000644\0', 100);
    header.write('0000000\0', 108);
    header.write('0000000\0', 116);
    header.write(`${content.length.toString(8).padStart(11, '0')}\0`, 124);
    header.write('00000000000\0', 136);
    header.write('        ', 148);
    header.write(entry.type ?? '0', 156);
    header.write('ustar\0', 257);
    header.write('00', 263);
    const sum = header.reduce((total, byte) => total + byte, 0);
    header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
    blocks.push(header, content, Buffer.alloc((512 - (content.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return gzipSync(Buffer.concat(blocks));
}

describe('embedded system: repository jobs (use case 1)', () => {
  let system: EmbeddedSystem;
  const workspace = mkdtempSync(join(tmpdir(), 'repo-job-workspace-'));
  const tree = fixtureTree();

  beforeAll(async () => {
    system = await startTestSystem({ CONTEXTFORGE__EMBEDDED__AGENTS: '3' }, { workspaceDir: workspace });
  });

  afterAll(async () => {
    await system?.stop();
  });

  const call = (path: string, init?: RequestInit) => gatewayFetch(system)(path, init);

  const when = (predicate: (task: TaskView) => boolean) => taskChange(system, predicate);

  const finalOf = (jobId: string) =>
    when((task) => task.id === jobId && ['succeeded', 'cancelled', 'dead_lettered'].includes(task.status));

  /** Submits a path job and resolves with its id and a promise of its final state. */
  const submitPath = async (body: Record<string, unknown>) => {
    const response = await call('/jobs/repository', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const answer = (await response.json()) as { jobId: string; status: string };
    return { response, answer };
  };

  const runJob = async (body: Record<string, unknown>) => {
    const { response, answer } = await submitPath(body);
    expect(response.status).toBe(202);
    expect(response.headers.get('location')).toBe(`/tasks/${answer.jobId}`);
    const done = await finalOf(answer.jobId);
    expect(done.status).toBe('succeeded');
    const result = (await (await call(`/tasks/${answer.jobId}/result`)).json()) as TaskResultView;
    return { jobId: answer.jobId, report: result.output as RepoReport };
  };

  const comparable = (report: RepoReport) => ({ ...report, chunks: undefined });

  it('gives the same report with many chunks as with one, equal to one agent analysing the tree', async () => {
    const many = await runJob({ source: { path: tree.root }, chunkBytes: 200 });
    const one = await runJob({ source: { path: tree.root }, chunkBytes: 4 * 1024 * 1024 });
    expect(many.report.chunks.total).toBeGreaterThan(10);
    expect(many.report.chunks.failed).toBe(0);
    expect(one.report.chunks).toEqual({ total: 1, succeeded: 1, failed: 0 });
    expect(comparable(many.report)).toEqual(comparable(one.report));

    expect(many.report.complete).toBe(true);
    expect(many.report.totals.files).toBe(tree.sources.length);
    expect(many.report.skipped.files).toEqual([{ path: 'assets/logo.png', bytes: 6, reason: 'binary' }]);
    expect(Object.keys(many.report.languages)).toEqual(
      expect.arrayContaining(['typescript', 'javascript', 'python', 'go', 'rust', 'java']),
    );
    expect(many.report.findings.byRule['todo/marker']).toBeGreaterThanOrEqual(16);
    expect(many.report.index.symbols).toBeGreaterThan(20);
    expect(many.report.hotspots[0]).toMatchObject({ file: 'src/ts/module-7.ts', name: 'f7' });

    // The same tree analysed by one agent in one go.
    const single = await analyzeFiles(
      tree.sources.map((path) => ({ path })),
      { analyzers: ['code-analyzer', 'indexer', 'reviewer'], root: tree.root },
    );
    expect(many.report.languages).toEqual(languageTotalsOf(single.files));
    expect(many.report.index.symbols).toBe(single.symbols.length);
    expect(many.report.findings.total).toBe(single.findings.length);

    // Progress on the job's own event stream: one event per finished chunk, ending at the total.
    const events = await system.repository.taskEvents(many.jobId, 0, 1000);
    const progress = events.flatMap(({ event }) => (event.type === 'progress' ? [event.progress] : []));
    const total = many.report.chunks.total;
    expect(progress.every((step) => step.total === total)).toBe(true);
    expect(progress.at(-1)?.done).toBe(total);
    expect(new Set(progress.map((step) => step.done)).size).toBeGreaterThanOrEqual(Math.min(total, 3));
    expect(events.map(({ event }) => event.type).at(-1)).toBe('succeeded');

    // The chunks are tasks of the job (parentId) and of the same client.
    const job = (await (await call(`/tasks/${many.jobId}`)).json()) as TaskView;
    const children = await system.repository.listTasks({ parentId: many.jobId, limit: 1000 });
    expect(children.tasks).toHaveLength(total + 1);
    expect(children.tasks.every((child) => child.clientId === job.clientId)).toBe(true);
  });

  it('analyses an uploaded .tar.gz like the same directory', async () => {
    const archive = execFileSync('tar', ['-czf', '-', '-C', tree.root, '.']);
    const response = await call('/jobs/repository?chunkBytes=300', {
      method: 'POST',
      headers: { 'content-type': 'application/gzip' },
      body: archive,
    });
    expect(response.status).toBe(202);
    const { jobId } = (await response.json()) as { jobId: string };
    expect((await finalOf(jobId)).status).toBe('succeeded');
    const uploaded = ((await (await call(`/tasks/${jobId}/result`)).json()) as TaskResultView)
      .output as RepoReport;
    const direct = await runJob({ source: { path: tree.root }, chunkBytes: 300 });
    expect(uploaded.root.startsWith(workspace)).toBe(true);
    expect({ ...comparable(uploaded), root: undefined }).toEqual({
      ...comparable(direct.report),
      root: undefined,
    });
  });

  it('refuses archives with path traversal, absolute paths or links, leaving nothing behind', async () => {
    const before = readdirSync(workspace).length;
    for (const entries of [
      [
        { name: 'ok.ts', content: 'export {};\n' },
        { name: '../evil.ts', content: 'bad' },
      ],
      [{ name: '/etc/evil.ts', content: 'bad' }],
      [{ name: 'link', type: '2' }],
    ]) {
      const response = await call('/jobs/repository', {
        method: 'POST',
        headers: { 'content-type': 'application/gzip' },
        body: tarGz(entries),
      });
      expect(response.status).toBe(400);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe('VALIDATION_FAILED');
    }
    expect(readdirSync(workspace)).toHaveLength(before);
    expect(existsSync(join(workspace, '..', 'evil.ts'))).toBe(false);
    const garbage = await call('/jobs/repository', {
      method: 'POST',
      headers: { 'content-type': 'application/gzip' },
      body: Buffer.from('not gzip at all'),
    });
    expect(garbage.status).toBe(400);
  });

  it('refuses a relative path or one with .. segments', async () => {
    for (const path of ['relative/dir', '/tmp/../etc']) {
      const { response, answer } = await submitPath({ source: { path } });
      expect(response.status).toBe(400);
      expect((answer as unknown as { error: { code: string } }).error.code).toBe('VALIDATION_FAILED');
    }
  });

  it('dead-letters a job whose root cannot be read, with the scan error', async () => {
    const { answer } = await submitPath({ source: { path: join(tree.root, 'missing') }, maxAttempts: 1 });
    const done = await finalOf(answer.jobId);
    expect(done.status).toBe('dead_lettered');
    expect(done.lastError?.code).toBe('VALIDATION_FAILED');
    expect(done.lastError?.message).toContain('scan');
  });

  it('cancelling the job stops the fan-out and leaves no chunk open', async () => {
    const { root, sources } = fixtureTree();
    for (let index = 0; index < 60; index += 1) {
      writeFileSync(join(root, `extra-${index}.ts`), `export const v${index} = ${index};\n`);
    }
    const firstChunkDone = when((task) => task.type === 'repo-chunk' && task.status === 'succeeded');
    const { answer } = await submitPath({ source: { path: root }, chunkBytes: 1 });
    const chunk = await firstChunkDone;
    expect(chunk.parentId).toBe(answer.jobId);
    const cancelled = await call(`/tasks/${answer.jobId}`, { method: 'DELETE' });
    expect(cancelled.status).toBe(200);

    const children = async () =>
      (await system.repository.listTasks({ parentId: answer.jobId, limit: 1000 })).tasks;
    // The coordinator is done with the job once it cancelled every open child (its own state: polled,
    // bounded); then no child may be left open.
    await waitFor(() => !(system.jobs()?.activeJobs() ?? []).includes(answer.jobId), {
      timeoutMs: 10_000,
      label: 'the coordinator to finish cancelling the job',
    });
    const listed = await children();
    expect(listed.every((task) => task.status === 'succeeded' || task.status === 'cancelled')).toBe(true);
    const job = (await (await call(`/tasks/${answer.jobId}`)).json()) as TaskView;
    expect(job.status).toBe('cancelled');
    // One chunk per file was planned; chunks are cheap here, so the fan-out is cut short.
    const planned = sources.length + 60;
    expect(listed.filter((task) => task.type === 'repo-chunk').length).toBeLessThan(planned);
  });

  it('cancelling the job cancels its open children (a scan no agent can run yet)', async () => {
    const scanQueued = when(
      (task) => task.type === 'repo-scan' && task.status === 'queued' && task.statusReason !== undefined,
    );
    const response = await call('/tasks/submit', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        type: 'repo-analysis',
        input: { root: tree.root },
        requiredCapabilities: ['no-agent-has-this'],
      }),
    });
    const { taskId: jobId } = (await response.json()) as { taskId: string };
    const scan = await scanQueued;
    expect(scan.parentId).toBe(jobId);
    const scanCancelled = when((task) => task.id === scan.id && task.status === 'cancelled');
    expect((await call(`/tasks/${jobId}`, { method: 'DELETE' })).status).toBe(200);
    expect((await scanCancelled).statusReason).toContain(jobId);
  });
});
