import { defineAgentType, z } from '@contextforge/agent-sdk';
import { analyzeFiles, PARSED_LANGUAGES, type AnalyzeFilesResult } from '@contextforge/analyzers';
import { SourceFileSchema, type AnalyzerName, type SourceFile } from '@contextforge/contracts';

/** Input of the analysis agent types: up to 1,000 files, inline or read from `root`. */
export const AnalysisInputSchema = z.object({
  root: z.string().min(1).optional(),
  files: z.array(SourceFileSchema).min(1).max(1000),
});
export type AnalysisInput = { root?: string; files: SourceFile[] };

/**
 * One analysis agent type: runs `analyzer` over the input's files, reporting progress per file,
 * and returns the part of the result `pick` selects beside the per-file errors.
 */
export function defineAnalysisAgentType<Output extends object>(
  analyzer: AnalyzerName,
  pick: (result: AnalyzeFilesResult) => Output,
) {
  return defineAgentType<AnalysisInput, Output & Pick<AnalyzeFilesResult, 'errors'>>({
    name: analyzer,
    version: '1.0.0',
    cacheable: true,
    capabilities: PARSED_LANGUAGES,
    input: AnalysisInputSchema,
    handler: async ({ root, files }, { signal, progress }) => {
      const result = await analyzeFiles(files, {
        analyzers: [analyzer],
        root,
        signal,
        onProgress: (done, total) => progress(done, total),
      });
      return { ...pick(result), errors: result.errors };
    },
  });
}
