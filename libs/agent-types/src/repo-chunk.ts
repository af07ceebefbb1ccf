import { defineAgentType } from '@contextforge/agent-sdk';
import { analyzeFiles } from '@contextforge/analyzers';
import {
  REPO_JOB_TASK_TYPES,
  RepoChunkInputSchema,
  repoChunkOutputOf,
  type RepoChunkInput,
  type RepoChunkOutput,
} from '@contextforge/contracts';

/**
 * One chunk of a repository job: runs the requested analyzers over its files (read from `root`)
 * and returns the chunk's additive summary (RepoChunkOutput: per-language totals, top hotspots,
 * finding counts and the first CHUNK_FINDINGS_LIMIT findings, the symbols for the index (at most
 * CHUNK_SYMBOLS_LIMIT; symbolCount counts them all), and the files it could not analyse with
 * why). Progress is reported per file. With the default 256 KiB chunks the output stays far below
 * the 1 MB of a bus message; the caps bound it for chunks up to 4 MiB.
 */
export const repoChunkAgentType = defineAgentType<RepoChunkInput, RepoChunkOutput>({
  name: REPO_JOB_TASK_TYPES.chunk,
  version: '1.0.0',
  input: RepoChunkInputSchema,
  async handler(input, { signal, progress }) {
    const result = await analyzeFiles(
      input.files.map((path) => ({ path })),
      {
        analyzers: input.analyzers,
        root: input.root,
        signal,
        onProgress: (done, total, path) => progress(done, total, path),
      },
    );
    return repoChunkOutputOf(result);
  },
});
