import { defineAnalysisAgentType } from './analysis-input';

/** The definitions (symbol index entries) in each file. */
export const indexerAgentType = defineAnalysisAgentType('indexer', ({ symbols }) => ({ symbols }));
