import { createSilentLogger } from '@contextforge/observability';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoChunkAgentType } from './repo-chunk';

function run(input: Record<string, unknown>) {
  const progress: Array<[number, number | undefined, string | undefined]> = [];
  const parsed = repoChunkAgentType.input?.parse(input);
  if (!parsed) throw new Error('repo-chunk declares an input schema');
  const output = repoChunkAgentType.handler(parsed, {
    taskId: 't',
    attempt: 1,
    signal: new AbortController().signal,
    logger: createSilentLogger(),
    traceparent: undefined,
    progress: (done, total, message) => progress.push([done, total, message]),
  });
  return { output, progress };
}

describe('repo-chunk', () => {
  const root = mkdtempSync(join(tmpdir(), 'repo-chunk-'));
  mkdirSync(join(root, 'src'));
  writeFileSync(
    join(root, 'src/a.ts'),
    '// TODO: split\nexport function f(x: number) {\n  if (x > 1) return 1;\n  return 2;\n}\n',
  );
  writeFileSync(join(root, 'src/b.py'), 'def g(y):\n    return y\n');

  it('analyses its files into per-language totals, hotspots, findings and symbols, with progress per file', async () => {
    const { output, progress } = run({ root, files: ['src/a.ts', 'src/b.py'] });
    const result = await output;
    expect(result.languages['typescript']).toMatchObject({ files: 1, functions: 1, complexity: 2 });
    expect(result.languages['python']).toMatchObject({ files: 1, functions: 1 });
    expect(result.hotspots[0]).toMatchObject({ file: 'src/a.ts', name: 'f', complexity: 2 });
    expect(result.findingCounts.byRule['todo/marker']).toBe(1);
    expect(result.symbolCount).toBe(result.symbols.length);
    expect(result.symbols.map((symbol) => symbol.name)).toEqual(expect.arrayContaining(['f', 'g']));
    expect(result.errors).toEqual([]);
    expect(progress.map(([done, total]) => [done, total])).toEqual([
      [1, 2],
      [2, 2],
    ]);
  });

  it('reports a file it cannot read as an error instead of failing the chunk', async () => {
    const result = await run({ root, files: ['src/a.ts', 'src/gone.ts'] }).output;
    expect(result.languages['typescript']?.files).toBe(1);
    expect(result.errors).toEqual([{ path: 'src/gone.ts', message: expect.any(String) }]);
  });
});
