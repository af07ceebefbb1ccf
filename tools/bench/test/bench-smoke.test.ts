import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { RATIOS } from '../src/derived-figures';
import { describeMachine } from '../src/machine-info';
import { BEGIN_MARKER, END_MARKER, mergeIntoDocument, renderReport } from '../src/report';
import { runSuite } from '../src/run-suite';
import { SCENARIOS } from '../src/scenarios';

const ROOT = resolve(__dirname, '..', '..', '..');

/**
 * `npm run bench -- --smoke` in-process: every registered scenario at tiny sizes, once, into a
 * temp file. It proves the harness and every scenario still work against the current code; it
 * asserts nothing about speed (CI never fails on speed), only that each figure exists and is sane.
 */
describe('bench smoke run', () => {
  it('runs every scenario and reports a finite positive value for every figure (or 0 where allowed)', async () => {
    const log: string[] = [];
    const result = await runSuite({
      scenarios: SCENARIOS,
      runs: 1,
      ctx: { smoke: true, rootDir: ROOT, log: (line) => log.push(line) },
    });
    process.stdout.write(`${log.join('\n')}\n`);

    expect(result.failures).toEqual([]);
    for (const scenario of SCENARIOS) {
      expect(result.figures.filter((figure) => figure.scenario === scenario.title).length).toBeGreaterThan(0);
    }
    expect(result.figures.map((figure) => figure.id)).toEqual(
      expect.arrayContaining(RATIOS.map((r) => r.id)),
    );
    for (const figure of result.figures) {
      expect({ id: figure.id, values: figure.values.length }).toEqual({ id: figure.id, values: 1 });
      expect({ id: figure.id, finite: Number.isFinite(figure.median) }).toEqual({
        id: figure.id,
        finite: true,
      });
      expect({
        id: figure.id,
        positive: figure.median > 0 || (figure.mayBeZero === true && figure.median === 0),
      }).toEqual({
        id: figure.id,
        positive: true,
      });
    }

    const dir = mkdtempSync(join(tmpdir(), 'contextforge-bench-smoke-'));
    try {
      const out = join(dir, 'benchmarks.md');
      writeFileSync(out, '# Benchmarks\n\n## History\n\nolder figures\n');
      const generated = renderReport(result, await describeMachine(ROOT), {
        smoke: true,
        command: 'npm run bench -- --smoke',
      });
      writeFileSync(out, mergeIntoDocument(readFileSync(out, 'utf8'), generated));
      const markdown = readFileSync(out, 'utf8');
      process.stdout.write(`${generated}\n`);

      const rows = markdown
        .split('\n')
        .filter((line) => line.startsWith('| ') && !line.startsWith('| scenario'));
      for (const figure of result.figures) {
        expect(rows.filter((row) => row.includes(`(\`${figure.id}\`)`))).toHaveLength(1);
      }
      expect(markdown).toMatch(/- Machine: .+, \d+ cores, [\d.]+ GiB memory/);
      expect(markdown.indexOf(BEGIN_MARKER)).toBeLessThan(markdown.indexOf(END_MARKER));
      expect(markdown.indexOf(END_MARKER)).toBeLessThan(markdown.indexOf('older figures'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
