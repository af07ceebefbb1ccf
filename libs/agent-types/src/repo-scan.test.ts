import { createSilentLogger } from '@contextforge/observability';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoScanAgentType } from './repo-scan';

const context = (signal = new AbortController().signal) => ({
  taskId: 't',
  attempt: 1,
  signal,
  logger: createSilentLogger(),
  traceparent: undefined,
  progress: () => undefined,
});

function tree(): string {
  const root = mkdtempSync(join(tmpdir(), 'repo-scan-'));
  const write = (path: string, content: string | Buffer) => {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), content);
  };
  write('src/a.ts', 'export const a = 1;\n');
  write('src/deep/b.py', 'x = 1\n');
  write('README.md', '# readme\n');
  write('node_modules/dep/index.js', 'module.exports = 1;\n');
  write('.git/HEAD', 'ref: refs/heads/main\n');
  write('img/logo.png', Buffer.from([0x89, 0x50, 0x00, 0x01]));
  write('data/big.json', 'x'.repeat(3000));
  symlinkSync('/etc', join(root, 'escape'));
  symlinkSync(join(root, 'src/a.ts'), join(root, 'link.ts'));
  return root;
}

const scan = (input: Record<string, unknown>) => {
  const parsed = repoScanAgentType.input?.parse(input);
  if (!parsed) throw new Error('repo-scan declares an input schema');
  return repoScanAgentType.handler(parsed, context());
};

describe('repo-scan', () => {
  it('lists regular files with sizes, sorted, without default excludes and symlinks; binary and large files are skipped', async () => {
    const root = tree();
    const output = await scan({ root, maxFileBytes: 2000 });
    expect(output.files).toEqual([
      { path: 'README.md', bytes: 9 },
      { path: 'src/a.ts', bytes: 20 },
      { path: 'src/deep/b.py', bytes: 6 },
    ]);
    expect(output.skipped).toEqual([
      { path: 'data/big.json', bytes: 3000, reason: 'too-large' },
      { path: 'img/logo.png', bytes: 4, reason: 'binary' },
    ]);
    expect(output.totalBytes).toBe(35);
  });

  it('applies include and exclude globs, and can keep the default excludes out of it', async () => {
    const root = tree();
    expect(
      (await scan({ root, include: ['src/**'], exclude: ['*.py'] })).files.map((file) => file.path),
    ).toEqual(['src/a.ts']);
    const all = await scan({ root, useDefaultExcludes: false, include: ['*.js', 'HEAD'] });
    expect(all.files.map((file) => file.path)).toEqual(['.git/HEAD', 'node_modules/dep/index.js']);
  });

  it('refuses a relative root, one with .. and one that is not a directory', async () => {
    await expect(scan({ root: 'relative/dir' })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    await expect(scan({ root: '/tmp/../etc' })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    await expect(scan({ root: join(tree(), 'README.md') })).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
    });
  });

  it('stops when the attempt is aborted', async () => {
    const controller = new AbortController();
    controller.abort(new Error('cancelled'));
    const parsed = repoScanAgentType.input?.parse({ root: tree() });
    if (!parsed) throw new Error('repo-scan declares an input schema');
    await expect(repoScanAgentType.handler(parsed, context(controller.signal))).rejects.toThrow('cancelled');
  });
});
