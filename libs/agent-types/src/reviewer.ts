import { defineAnalysisAgentType } from './analysis-input';

/** Findings: complex and long functions, long files, TODO markers, likely hard-coded secrets. */
export const reviewerAgentType = defineAnalysisAgentType('reviewer', ({ findings }) => ({ findings }));
