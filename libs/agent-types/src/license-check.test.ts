import { createSilentLogger } from '@contextforge/observability';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { licenseCheckAgentType } from './license-check';

function context(signal = new AbortController().signal) {
  const progress: Array<[number, number | undefined, string | undefined]> = [];
  return {
    progress,
    context: {
      taskId: 't',
      attempt: 1,
      signal,
      logger: createSilentLogger(),
      traceparent: undefined,
      progress: (done: number, total?: number, message?: string) => progress.push([done, total, message]),
    },
  };
}

describe('license-check (the example agent type)', () => {
  it('reports each file’s SPDX license, from inline content or the root, with progress per file', async () => {
    const root = mkdtempSync(join(tmpdir(), 'license-check-'));
    writeFileSync(
      join(root, 'b.py'),
      '#!/usr/bin/env python\n# SPDX-License-Identifier: Apache-2.0\nprint(1)\n',
    );
    const { context: ctx, progress } = context();
    const input = licenseCheckAgentType.input?.parse({
      root,
      files: [
        { path: 'a.ts', content: '// SPDX-License-Identifier: MIT\nexport const a = 1;\n' },
        { path: 'b.py' },
        { path: 'c.css', content: '/* SPDX-License-Identifier: GPL-2.0-or-later */\nbody {}\n' },
        { path: 'd.md', content: '# no license here\n' },
      ],
    });
    if (!input) throw new Error('the example declares an input schema');

    const output = await licenseCheckAgentType.handler(input, ctx);

    expect(output.files).toEqual([
      { path: 'a.ts', license: 'MIT' },
      { path: 'b.py', license: 'Apache-2.0' },
      { path: 'c.css', license: 'GPL-2.0-or-later' },
      { path: 'd.md', license: null },
    ]);
    expect(output.totals).toEqual({ MIT: 1, 'Apache-2.0': 1, 'GPL-2.0-or-later': 1, none: 1 });
    expect(progress.map(([done, total]) => [done, total])).toEqual([
      [1, 4],
      [2, 4],
      [3, 4],
      [4, 4],
    ]);
  });

  it('rejects input without files', () => {
    expect(licenseCheckAgentType.input?.safeParse({ files: [] }).success).toBe(false);
  });

  it('stops when the task is cancelled', async () => {
    const controller = new AbortController();
    controller.abort(new Error('cancelled'));
    const { context: ctx } = context(controller.signal);
    await expect(
      licenseCheckAgentType.handler({ files: [{ path: 'a.ts', content: 'x' }] }, ctx),
    ).rejects.toThrow('cancelled');
  });
});

describe('docs/agent-sdk.md', () => {
  it('shows the example agent type exactly as it is in the repository', () => {
    const doc = readFileSync(join(__dirname, '../../../docs/agent-sdk.md'), 'utf8');
    const source = readFileSync(join(__dirname, 'license-check.ts'), 'utf8');
    expect(doc).toContain(source);
  });
});
