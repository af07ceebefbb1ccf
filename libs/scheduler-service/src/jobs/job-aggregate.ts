import {
  RepoChunkOutputSchema,
  type RepoAnalysisInput,
  type RepoReport,
  type TaskView,
} from '@contextforge/contracts';
import { ReportBuilder } from './job-report';
import { failureOf, type Job, type JobStore } from './job-state';

/**
 * The report of a job whose chunks are all final: reads the succeeded chunks' results, `width` at
 * a time, in chunk order, and adds a chunk that failed, was cancelled or returned no valid result
 * as missing (with why).
 */
export async function aggregateReport(
  job: Job,
  store: Pick<JobStore, 'getResult'>,
  width: number,
): Promise<RepoReport> {
  const input = job.input as RepoAnalysisInput;
  const plan = job.plan ?? [];
  const builder = new ReportBuilder({
    root: input.root,
    analyzers: input.analyzers,
    chunks: plan.length,
    skipped: job.scanOutput?.skipped ?? [],
  });
  for (let start = 0; start < plan.length; start += width) {
    const window = plan.slice(start, start + width);
    const results = await Promise.all(
      window.map((chunk) => {
        const view = job.chunks.get(chunk.index);
        return view?.status === 'succeeded' ? store.getResult(view.id) : Promise.resolve(undefined);
      }),
    );
    for (const [offset, chunk] of window.entries()) {
      const view = job.chunks.get(chunk.index) as TaskView;
      const output = RepoChunkOutputSchema.safeParse(results[offset]?.output);
      if (view.status === 'succeeded' && output.success) {
        builder.addSucceeded(output.data);
        continue;
      }
      const failure = view.status === 'succeeded' ? undefined : failureOf(view);
      builder.addFailed({
        index: chunk.index,
        taskId: view.id,
        status: view.status,
        reason: failure ? `${failure.code}: ${failure.message}` : 'the chunk returned no valid result',
        files: chunk.files,
      });
    }
  }
  return builder.build();
}
