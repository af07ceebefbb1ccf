import { defineAgentType } from '@contextforge/agent-sdk';
import { analyzeFiles, PARSED_LANGUAGES, type FileError } from '@contextforge/analyzers';
import type { FileAnalysis } from '@contextforge/contracts';
import { AnalysisInputSchema, type AnalysisInput } from './analysis-input';

/** Per file: language, line counts, units with complexity, imports. */
export const codeAnalyzerAgentType = defineAgentType<
  AnalysisInput,
  { files: FileAnalysis[]; errors: FileError[] }
>({
  name: 'code-analyzer',
  version: '1.0.0',
  cacheable: true,
  capabilities: PARSED_LANGUAGES,
  input: AnalysisInputSchema,
  handler: async ({ root, files }, { signal, progress }) => {
    const result = await analyzeFiles(files, {
      analyzers: ['code-analyzer'],
      root,
      signal,
      onProgress: (done, total) => progress(done, total),
    });
    return { files: result.files, errors: result.errors };
  },
});
