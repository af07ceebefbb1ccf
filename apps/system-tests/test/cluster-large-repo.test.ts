import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '@contextforge/testing';
import { FAULT_ENV } from './support/fault-settings';
import { gatewayGet } from './support/task-client';
import { useClusterSystem } from './support/use-cluster-system';
import { failOnCrash } from './support/wait-for-tasks';

const FILES = 20_000;
/** Default chunk size: about 2,000 files per chunk here, whose outputs are several hundred KB each. */
const INLINE_LIMIT_BYTES = 64 * 1024;

/** FILES small TypeScript modules in nested folders, each with a function and a class. */
function generatedTree(): string {
  const root = mkdtempSync(join(tmpdir(), 'cf-large-repo-'));
  for (let index = 0; index < FILES; index += 1) {
    const dir = join(root, `pkg-${index % 40}`, `mod-${index % 13}`);
    if (index < 40 * 13) mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, `file-${index}.ts`),
      `// file ${index}\nexport function f${index}(x: number): number {\n  return x > ${index} ? x : -x;\n}\n` +
        `export class C${index} {\n  v = ${index};\n}\n`,
    );
  }
  return root;
}

describe('cluster: a repository job over 20,000 generated files (chunk outputs above the inline limit)', () => {
  const fixture = useClusterSystem({ agents: 3, schedulers: 2, env: FAULT_ENV });
  let root = '';
  beforeAll(() => {
    root = generatedTree();
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('completes with every file accounted for; outputs travel by reference', async () => {
    const system = fixture.get();
    // With an idempotency key, so that a connection the gateway closed as the request went out (an
    // idle keep-alive socket) can be retried safely: a retry is answered with the same job.
    const submit = () =>
      fetch(`${system.gateway.url}/jobs/repository`, {
        method: 'POST',
        headers: { authorization: `Bearer ${system.gateway.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ source: { path: root }, idempotencyKey: `large-repo-${root}` }),
      });
    const response = await submit().catch(submit);
    expect(response.status).toBe(202);
    const { jobId } = (await response.json()) as { jobId: string };

    let status = '';
    await waitFor(
      async () => {
        await failOnCrash(system);
        status = ((await (await gatewayGet(system.gateway, `/tasks/${jobId}`)).json()) as { status: string })
          .status;
        if (status === 'failed' || status === 'dead_lettered' || status === 'cancelled') {
          throw new Error(`the job ended ${status}`);
        }
        return status === 'succeeded';
      },
      { timeoutMs: 400_000, intervalMs: 500, label: `job ${jobId} to succeed` },
    );
    const result = (await (await gatewayGet(system.gateway, `/tasks/${jobId}/result`)).json()) as {
      output: {
        complete: boolean;
        totals: { files: number; functions: number };
        chunks: { total: number; succeeded: number; failed: number };
        missing: { count: number };
      };
    };
    const report = result.output;
    expect(report).toMatchObject({ complete: true, missing: { count: 0 } });
    expect(report.totals.files).toBe(FILES);
    expect(report.totals.functions).toBeGreaterThanOrEqual(FILES);
    expect(report.chunks.failed).toBe(0);
    expect(report.chunks.succeeded).toBe(report.chunks.total);

    // The chunks' outputs were above the inline limit: stored as payloads, not carried in messages.
    const { rows } = await system.db.query<{ payloads: string; largest: string }>(
      'SELECT count(*) AS payloads, max(bytes) AS largest FROM payloads',
    );
    expect(Number(rows[0]?.payloads)).toBeGreaterThanOrEqual(report.chunks.total);
    expect(Number(rows[0]?.largest)).toBeGreaterThan(INLINE_LIMIT_BYTES);
    process.stdout.write(
      `cluster-large-repo: ${FILES} files in ${report.chunks.total} chunks, all accounted for; ` +
        `${rows[0]?.payloads} payloads by reference, the largest ${rows[0]?.largest} bytes\n`,
    );
    fixture.markPassed();
  }, 480_000);
});
