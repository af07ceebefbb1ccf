import { SourceFileSchema, type SourceFile } from '@contextforge/contracts';
import { z } from '@contextforge/agent-sdk';

/** Input of the analysis agent types: up to 1,000 files, inline or read from `root`. */
export const AnalysisInputSchema = z.object({
  root: z.string().min(1).optional(),
  files: z.array(SourceFileSchema).min(1).max(1000),
});
export type AnalysisInput = { root?: string; files: SourceFile[] };
