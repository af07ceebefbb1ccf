import { defineAgentType, z } from '@contextforge/agent-sdk';
import { SourceFileSchema } from '@contextforge/contracts';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * The example agent type (docs/agent-sdk.md walks through it): reports the SPDX license of each
 * file from its `SPDX-License-Identifier:` header line. It imports only the SDK and the contracts;
 * registration, heartbeats, concurrency, retries and publishing the result are the SDK's job.
 */
const LicenseCheckInput = z.object({
  /** Directory the agent reads files from when they have no inline content. */
  root: z.string().optional(),
  files: z.array(SourceFileSchema).min(1).max(1000),
});

interface LicenseCheckOutput {
  files: Array<{ path: string; license: string | null }>;
  /** How many files carry each license; files without one count under "none". */
  totals: Record<string, number>;
}

const SPDX = /SPDX-License-Identifier:\s*([A-Za-z0-9.+()\- ]+?)\s*(?:\*\/|-->|$)/m;
/** Only the head of a file is searched, as license scanners do. */
const HEAD_LINES = 30;

export const licenseCheckAgentType = defineAgentType<z.output<typeof LicenseCheckInput>, LicenseCheckOutput>({
  name: 'license-check',
  version: '1.0.0',
  cacheable: true,
  input: LicenseCheckInput,
  async handler(input, context) {
    const files: LicenseCheckOutput['files'] = [];
    const totals: Record<string, number> = {};
    for (const [index, file] of input.files.entries()) {
      context.signal.throwIfAborted();
      const content = file.content ?? (await readFile(join(input.root ?? '.', file.path), 'utf8'));
      const head = content.split('\n', HEAD_LINES).join('\n');
      const license = SPDX.exec(head)?.[1]?.trim() ?? null;
      files.push({ path: file.path, license });
      totals[license ?? 'none'] = (totals[license ?? 'none'] ?? 0) + 1;
      context.progress(index + 1, input.files.length, file.path);
    }
    return { files, totals };
  },
});
