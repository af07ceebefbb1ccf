import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyzeFiles, MAX_FILE_BYTES } from './analyze-files';

describe('analyzeFiles', () => {
  let root: string;
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'analyze-files-'));
    mkdirSync(join(root, 'src'));
    writeFileSync(
      join(root, 'src/a.ts'),
      '// TODO: x\nexport function f(a: boolean) {\n  return a ? 1 : 2;\n}\n',
    );
    writeFileSync(join(root, 'src/logo.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x01]));
    writeFileSync(join(root, 'src/huge.js'), Buffer.alloc(MAX_FILE_BYTES + 1, 0x61));
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('reads files under the root, produces only the requested outputs and reports progress per file', async () => {
    const progress: [number, number, string][] = [];
    const result = await analyzeFiles(
      [{ path: 'src/a.ts' }, { path: 'b.py', content: 'def g():\n    pass\n' }],
      {
        analyzers: ['code-analyzer', 'reviewer'],
        root,
        onProgress: (done, total, path) => progress.push([done, total, path]),
      },
    );
    expect(result.files.map((f) => [f.path, f.language, f.units.map((u) => [u.name, u.complexity])])).toEqual(
      [
        ['src/a.ts', 'typescript', [['f', 2]]],
        ['b.py', 'python', [['g', 1]]],
      ],
    );
    expect(result.findings).toEqual([
      expect.objectContaining({ file: 'src/a.ts', line: 1, ruleId: 'todo/marker' }),
    ]);
    expect(result.symbols).toEqual([]);
    expect(result.errors).toEqual([]);
    expect(progress).toEqual([
      [1, 2, 'src/a.ts'],
      [2, 2, 'b.py'],
    ]);
  });

  it('turns missing, binary, too large and escaping files into error entries and goes on', async () => {
    const result = await analyzeFiles(
      [
        { path: 'src/missing.ts' },
        { path: 'src/logo.png' },
        { path: 'src/huge.js' },
        { path: '../outside.ts' },
        { path: 'inline.bin', content: 'a\0b' },
        { path: 'inline.ts', content: 'x'.repeat(MAX_FILE_BYTES + 1) },
        { path: 'src/a.ts' },
      ],
      { analyzers: ['indexer'], root },
    );
    expect(result.errors).toEqual([
      { path: 'src/missing.ts', message: 'file not found' },
      { path: 'src/logo.png', message: 'binary file (contains NUL bytes)' },
      { path: 'src/huge.js', message: 'file larger than 2 MB' },
      { path: '../outside.ts', message: 'path leaves the root directory' },
      { path: 'inline.bin', message: 'binary file (contains NUL bytes)' },
      { path: 'inline.ts', message: 'file larger than 2 MB' },
    ]);
    expect(result.symbols.map((s) => s.name)).toEqual(['f']);
    expect(result.files).toEqual([]);
  });

  it('needs a root for files without content', async () => {
    const result = await analyzeFiles([{ path: 'a.ts' }], { analyzers: ['code-analyzer'] });
    expect(result.errors).toEqual([{ path: 'a.ts', message: 'no content and no root to read it from' }]);
  });

  it('stops between files when the signal aborts, rejecting with its reason', async () => {
    const controller = new AbortController();
    const seen: string[] = [];
    const reason = new Error('cancelled');
    const run = analyzeFiles(
      [
        { path: 'a.ts', content: 'a' },
        { path: 'b.ts', content: 'b' },
        { path: 'c.ts', content: 'c' },
      ],
      {
        analyzers: ['code-analyzer'],
        signal: controller.signal,
        onProgress: (_done, _total, path) => {
          seen.push(path);
          if (path === 'a.ts') controller.abort(reason);
        },
      },
    );
    await expect(run).rejects.toBe(reason);
    expect(seen).toEqual(['a.ts']);
  });
});
