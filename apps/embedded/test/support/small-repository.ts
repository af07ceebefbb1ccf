import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A small tree in three languages whose line counts are known by hand. */
export function smallRepository(): { root: string; files: string[] } {
  const root = mkdtempSync(join(tmpdir(), 'cf-client-repo-'));
  const files: Record<string, string> = {
    // typescript: 2 files, code 5, comment 2, blank 1
    'src/math.ts': '// adds\nexport function add(a: number, b: number): number {\n\n  return a + b;\n}\n',
    'src/sign.ts': '/* sign */\nexport const sign = (x: number) => (x > 0 ? 1 : -1);\nexport {};\n',
    // python: 1 file, code 4, comment 1, blank 0
    'py/util.py':
      '# TODO: faster\ndef clamp(v, lo, hi):\n    if v < lo:\n        return lo\n    return min(v, hi)\n',
    // go: 1 file, code 3, comment 0, blank 1
    'go/main.go': 'package main\n\nfunc main() {\n}\n',
  };
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  return { root, files: Object.keys(files).sort() };
}
