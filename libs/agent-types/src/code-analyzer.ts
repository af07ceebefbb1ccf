import { defineAnalysisAgentType } from './analysis-input';

/** Per file: language, line counts, units with complexity, imports. */
export const codeAnalyzerAgentType = defineAnalysisAgentType('code-analyzer', ({ files }) => ({ files }));
