import { defineAgentType } from '@contextforge/agent-sdk';
import { analyzeFiles, PARSED_LANGUAGES, type FileError } from '@contextforge/analyzers';
import type { Finding } from '@contextforge/contracts';
import { AnalysisInputSchema, type AnalysisInput } from './analysis-input';

/** Findings: complex and long functions, long files, TODO markers, likely hard-coded secrets. */
export const reviewerAgentType = defineAgentType<AnalysisInput, { findings: Finding[]; errors: FileError[] }>(
  {
    name: 'reviewer',
    version: '1.0.0',
    cacheable: true,
    capabilities: PARSED_LANGUAGES,
    input: AnalysisInputSchema,
    handler: async ({ root, files }, { signal, progress }) => {
      const result = await analyzeFiles(files, {
        analyzers: ['reviewer'],
        root,
        signal,
        onProgress: (done, total) => progress(done, total),
      });
      return { findings: result.findings, errors: result.errors };
    },
  },
);
