import { analyzeFiles } from '@contextforge/analyzers';
import { issueToken } from '@contextforge/auth';
import { ContextForgeClient, type ContextForgeError } from '@contextforge/client';
import { languageTotalsOf, type TaskStreamEvent } from '@contextforge/contracts';
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EmbeddedSystem } from '../src/embedded-system';
import { smallRepository } from './support/small-repository';
import { startTestSystem } from './support/start-test-system';

/** Batches, symbol search and repository jobs through the client SDK against the embedded system. */
describe('client SDK: batches, search and repository jobs against the embedded system', () => {
  const workspace = mkdtempSync(join(tmpdir(), 'cf-client-workspace-'));
  let system: EmbeddedSystem;
  let client: ContextForgeClient;
  let other: ContextForgeClient;

  beforeAll(async () => {
    system = await startTestSystem({ CONTEXTFORGE__EMBEDDED__AGENTS: '2' }, { workspaceDir: workspace });
    const credentials = system.credentials;
    if (!credentials) throw new Error('no development credentials');
    client = new ContextForgeClient({ baseUrl: system.url, token: credentials.clientToken });
    const { jwt } = credentials;
    const otherToken = await issueToken({
      secretKey: jwt.secretKey ?? '',
      issuer: jwt.issuer,
      audience: jwt.audience,
      subject: 'other-client',
      roles: ['client'],
      expiresInMs: 600_000,
    });
    other = new ContextForgeClient({ baseUrl: system.url, token: otherToken });
  });

  afterAll(async () => {
    await system?.stop();
  });

  /** Follows a task's stream to its end; resolves with its events. */
  const finish = async (sdk: ContextForgeClient, id: string): Promise<TaskStreamEvent[]> => {
    const events: TaskStreamEvent[] = [];
    for await (const event of sdk.streamTask(id)) events.push(event);
    return events;
  };

  it('submits a batch and reads every item’s result by its task id, in request order', async () => {
    const tag = randomUUID();
    const items = await client.submitBatch([
      { type: 'echo', input: { tag, n: 0 } },
      { type: 'echo', input: { tag, n: 1 }, idempotencyKey: `batch-${tag}` },
      { type: 'echo', input: { tag, n: 2 } },
    ]);
    expect(items.map((item) => item.index)).toEqual([0, 1, 2]);
    expect(new Set(items.map((item) => item.taskId)).size).toBe(3);
    for (const item of items) {
      expect(item.status).toBe('queued');
      expect((await finish(client, item.taskId)).at(-1)?.event.type).toBe('succeeded');
      expect((await client.getResult(item.taskId)).output).toEqual({ tag, n: item.index });
    }

    // The idempotency key answers the first task again; the other items are new tasks.
    const again = await client.submitBatch([
      { type: 'echo', input: { tag, n: 1 }, idempotencyKey: `batch-${tag}` },
      { type: 'echo', input: { tag, n: 3 } },
    ]);
    expect(again[0]).toMatchObject({ index: 0, taskId: items[1]?.taskId, replayed: true });
    expect(again[1]?.taskId).not.toBe(items[1]?.taskId);
  });

  it('refuses an invalid batch naming the item, and submits nothing', async () => {
    const tag = randomUUID();
    const error = await client
      .submitBatch([
        { type: 'echo', input: { tag } },
        { type: '', input: {} },
      ])
      .then(
        () => undefined,
        (failure: unknown) => failure as ContextForgeError,
      );
    expect(error).toMatchObject({ code: 'VALIDATION_FAILED', status: 400 });
    expect(error?.details?.['issues']).toContainEqual(expect.objectContaining({ path: 'tasks[1].type' }));
    const listed = await client.listTasks({ type: 'echo', limit: 500 });
    expect(listed.tasks.some((task) => (task.input as { tag?: string } | null)?.tag === tag)).toBe(false);
  });

  it('search finds symbols of its own indexer results and not another client’s', async () => {
    const name = `quokka${randomUUID().replace(/-/g, '').slice(0, 10)}`;
    const mine = await client.submitTask({
      type: 'indexer',
      input: {
        files: [
          {
            path: 'src/mine.ts',
            content: `export function ${name}Mine(a: number): number {\n  return a;\n}\n`,
          },
        ],
      },
    });
    const theirs = await other.submitTask({
      type: 'indexer',
      input: { files: [{ path: 'src/theirs.py', content: `def ${name}_theirs(a):\n    return a\n` }] },
    });
    expect((await finish(client, mine.taskId)).at(-1)?.event.type).toBe('succeeded');
    expect((await finish(other, theirs.taskId)).at(-1)?.event.type).toBe('succeeded');

    const page = await client.search(name);
    expect(page.results).toEqual([
      {
        taskId: mine.taskId,
        score: expect.any(Number),
        symbol: {
          kind: 'function',
          name: `${name}Mine`,
          file: 'src/mine.ts',
          startLine: 1,
          endLine: 3,
          signature: expect.stringContaining(`function ${name}Mine(a: number): number`),
          language: 'typescript',
        },
      },
    ]);
    const theirPage = await other.search(name, { language: 'python', kind: 'function' });
    expect(theirPage.results.map((hit) => [hit.taskId, hit.symbol.name])).toEqual([
      [theirs.taskId, `${name}_theirs`],
    ]);
    expect((await other.search(name, { language: 'typescript' })).results).toEqual([]);
  });

  it('pages through search results with iterateSearch', async () => {
    const prefix = `walrus${randomUUID().replace(/-/g, '').slice(0, 8)}`;
    const source = Array.from(
      { length: 5 },
      (_, index) => `export function ${prefix}${index}(): void {}\n`,
    ).join('');
    const { taskId } = await client.submitTask({
      type: 'indexer',
      input: { files: [{ path: 'src/many.ts', content: source }] },
    });
    expect((await finish(client, taskId)).at(-1)?.event.type).toBe('succeeded');
    const first = await client.search(prefix, { limit: 2 });
    expect(first.results).toHaveLength(2);
    expect(first.nextCursor).toEqual(expect.any(String));
    const names: string[] = [];
    for await (const hit of client.iterateSearch(prefix, { limit: 2 })) names.push(hit.symbol.name);
    expect(names.sort()).toEqual([0, 1, 2, 3, 4].map((index) => `${prefix}${index}`));
  });

  it('runs a repository job by path: progress per chunk, then the report of the whole tree', async () => {
    const repo = smallRepository();
    const job = await client.submitRepositoryJob({ path: repo.root, chunkBytes: 100 });
    expect(job).toEqual({ jobId: expect.any(String), status: 'queued', replayed: false });
    const events = await finish(client, job.jobId);
    expect(events.at(-1)?.event.type).toBe('succeeded');
    const report = await client.getRepositoryReport(job.jobId);

    const progress = events.flatMap(({ event }) => (event.type === 'progress' ? [event.progress] : []));
    expect(report.chunks.total).toBeGreaterThan(1);
    expect(progress.at(-1)).toMatchObject({ done: report.chunks.total, total: report.chunks.total });

    expect(report).toMatchObject({ root: repo.root, complete: true, missing: { count: 0 } });
    expect(report.totals).toMatchObject({ files: 4, code: 12, comment: 3, blank: 2 });
    expect(report.languages['typescript']).toMatchObject({ files: 2, code: 5, comment: 2, blank: 1 });
    expect(report.languages['python']).toMatchObject({ files: 1, code: 4, comment: 1, blank: 0 });
    expect(report.languages['go']).toMatchObject({ files: 1, code: 3, comment: 0, blank: 1 });
    const single = await analyzeFiles(
      repo.files.map((path) => ({ path })),
      { analyzers: ['code-analyzer', 'indexer', 'reviewer'], root: repo.root },
    );
    expect(report.languages).toEqual(languageTotalsOf(single.files));
    expect(report.index.symbols).toBe(single.symbols.length);
    expect(report.findings.byRule['todo/marker']).toBe(1);
  });

  it('runs a repository job from an uploaded .tar.gz, with the same totals as by path', async () => {
    const repo = smallRepository();
    const archive = execFileSync('tar', ['-czf', '-', '-C', repo.root, '.']);
    const job = await client.submitRepositoryJob({ archive, chunkBytes: 100, analyzers: ['code-analyzer'] });
    expect((await finish(client, job.jobId)).at(-1)?.event.type).toBe('succeeded');
    const report = await client.getRepositoryReport(job.jobId);
    expect(report.root.startsWith(workspace)).toBe(true);
    expect(report.analyzers).toEqual(['code-analyzer']);
    expect(report.totals).toMatchObject({ files: 4, code: 12, comment: 3, blank: 2 });
    expect(report.index.symbols).toBe(0);
  });

  it('maps a refused repository job and a report that is not ready to errors', async () => {
    const refused = await client.submitRepositoryJob({ path: 'relative/dir' }).then(
      () => undefined,
      (error: unknown) => error as ContextForgeError,
    );
    expect(refused).toMatchObject({ code: 'VALIDATION_FAILED', status: 400 });

    const { taskId } = await client.submitTask({ type: 'sleep', input: { ms: 60_000 }, timeoutMs: 120_000 });
    const early = await client.getRepositoryReport(taskId).then(
      () => undefined,
      (error: unknown) => error as ContextForgeError,
    );
    expect(early?.code).toBe('RESULT_NOT_AVAILABLE');
    await client.cancelTask(taskId);
  });
});
