import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packDirectory } from './pack-directory';

async function packed(root: string) {
  const { stream, stats } = packDirectory(root);
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return { archive: Buffer.concat(chunks), stats };
}

describe('packDirectory', () => {
  it('packs regular files and directories that GNU tar reads back byte for byte', async () => {
    const root = mkdtempSync(join(tmpdir(), 'cf-pack-'));
    const longDir = `${'d'.repeat(90)}/${'e'.repeat(90)}`;
    const longName = `${'n'.repeat(120)}.ts`;
    mkdirSync(join(root, 'src', 'nested'), { recursive: true });
    mkdirSync(join(root, longDir), { recursive: true });
    mkdirSync(join(root, 'node_modules', 'dep'), { recursive: true });
    mkdirSync(join(root, '.git'));
    writeFileSync(join(root, 'src', 'a.ts'), 'export const a = 1;\n');
    writeFileSync(join(root, 'src', 'nested', 'b.py'), 'x = "é"\n'.repeat(100));
    writeFileSync(join(root, longDir, 'short.go'), 'package main\n');
    writeFileSync(join(root, longName), '');
    writeFileSync(join(root, 'node_modules', 'dep', 'index.js'), 'module.exports = 1;\n');
    writeFileSync(join(root, '.git', 'HEAD'), 'ref\n');
    symlinkSync(join(root, 'src', 'a.ts'), join(root, 'link.ts'));

    const { archive, stats } = await packed(root);
    expect(stats).toEqual({
      files: 4,
      bytes: 20 + Buffer.byteLength('x = "é"\n') * 100 + 13,
      skipped: ['link.ts'],
    });
    const listed = execFileSync('tar', ['-tzf', '-'], { input: archive }).toString().trim().split('\n');
    expect(listed.sort()).toEqual(
      [
        `${'d'.repeat(90)}/`,
        `${longDir}/`,
        `${longDir}/short.go`,
        longName,
        'src/',
        'src/a.ts',
        'src/nested/',
        'src/nested/b.py',
      ].sort(),
    );

    const out = mkdtempSync(join(tmpdir(), 'cf-unpack-'));
    execFileSync('tar', ['-xzf', '-', '-C', out], { input: archive });
    for (const path of ['src/a.ts', 'src/nested/b.py', `${longDir}/short.go`, longName]) {
      expect(readFileSync(join(out, path))).toEqual(readFileSync(join(root, path)));
    }
  });
});
