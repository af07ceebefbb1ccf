import type { TaskContext } from '@contextforge/agent-sdk';
import { createSilentLogger } from '@contextforge/observability';
import { codeAnalyzerAgentType } from './code-analyzer';
import { indexerAgentType } from './indexer';
import { reviewerAgentType } from './reviewer';

const context = (signal = new AbortController().signal) => {
  const progress: [number, number | undefined][] = [];
  const ctx: TaskContext = {
    taskId: '6f1c3c1e-0000-4000-8000-000000000002',
    attempt: 1,
    signal,
    logger: createSilentLogger(),
    traceparent: undefined,
    progress: (done, total) => progress.push([done, total]),
  };
  return { ctx, progress };
};

const files = [
  {
    path: 'src/a.ts',
    content: '// TODO: split\nexport function f(x: number) {\n  return x > 0 ? 1 : 0;\n}\n',
  },
  { path: 'missing.ts' },
];

describe('analysis agent types', () => {
  it('code-analyzer returns file analyses and errors, reporting progress per file', async () => {
    const { ctx, progress } = context();
    const output = await codeAnalyzerAgentType.handler({ files }, ctx);
    expect(output.files.map((f) => [f.path, f.units.map((u) => [u.name, u.complexity])])).toEqual([
      ['src/a.ts', [['f', 2]]],
    ]);
    expect(output.errors).toEqual([
      { path: 'missing.ts', message: 'no content and no root to read it from' },
    ]);
    expect(progress).toEqual([
      [1, 2],
      [2, 2],
    ]);
  });

  it('indexer returns symbols and reviewer returns findings', async () => {
    const symbols = await indexerAgentType.handler({ files }, context().ctx);
    expect(symbols.symbols.map((s) => [s.kind, s.name, s.signature])).toEqual([
      ['function', 'f', 'export function f(x: number) {'],
    ]);
    const findings = await reviewerAgentType.handler({ files }, context().ctx);
    expect(findings.findings.map((f) => [f.ruleId, f.line])).toEqual([['todo/marker', 1]]);
  });

  it('declare name, version, languages and an input schema limited to 1..1000 files', () => {
    for (const type of [codeAnalyzerAgentType, indexerAgentType, reviewerAgentType]) {
      expect(type.version).toBe('1.0.0');
      expect(type.capabilities).toEqual(['typescript', 'tsx', 'javascript', 'python', 'go', 'java', 'rust']);
      expect(type.input?.safeParse({ files: [] }).success).toBe(false);
      expect(
        type.input?.safeParse({ files: Array.from({ length: 1001 }, () => ({ path: 'a.ts' })) }).success,
      ).toBe(false);
      expect(type.input?.safeParse({ root: '/repo', files: [{ path: 'a.ts' }] }).success).toBe(true);
    }
    expect([codeAnalyzerAgentType, indexerAgentType, reviewerAgentType].map((t) => t.name)).toEqual([
      'code-analyzer',
      'indexer',
      'reviewer',
    ]);
  });

  it('stop when the attempt is aborted', async () => {
    const controller = new AbortController();
    controller.abort(new Error('timed out'));
    await expect(reviewerAgentType.handler({ files }, context(controller.signal).ctx)).rejects.toThrow(
      'timed out',
    );
  });
});
