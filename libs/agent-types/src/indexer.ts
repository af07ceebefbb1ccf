import { defineAgentType } from '@contextforge/agent-sdk';
import { analyzeFiles, PARSED_LANGUAGES, type FileError } from '@contextforge/analyzers';
import type { SymbolDef } from '@contextforge/contracts';
import { AnalysisInputSchema, type AnalysisInput } from './analysis-input';

/** The definitions (symbol index entries) in each file. */
export const indexerAgentType = defineAgentType<AnalysisInput, { symbols: SymbolDef[]; errors: FileError[] }>(
  {
    name: 'indexer',
    version: '1.0.0',
    cacheable: true,
    capabilities: PARSED_LANGUAGES,
    input: AnalysisInputSchema,
    handler: async ({ root, files }, { signal, progress }) => {
      const result = await analyzeFiles(files, {
        analyzers: ['indexer'],
        root,
        signal,
        onProgress: (done, total) => progress(done, total),
      });
      return { symbols: result.symbols, errors: result.errors };
    },
  },
);
