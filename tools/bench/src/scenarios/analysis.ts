import { FINAL_TASK_STATUSES, type RepoReport } from '@contextforge/contracts';
import { waitFor } from '@contextforge/testing';
import { join } from 'node:path';
import type { BenchContext, Figure, Scenario } from '../scenario';
import { withAgentFleet, type AgentFleet } from '../support/agent-fleet';
import { failOnCrash } from '../support/fleet-waits';
import { analysedFiles, timeCloc } from '../support/cloc';

/** The real tree: typescript's npm package (lib/*.d.ts, the compiler's JS, its messages as JSON). */
const TREE = join('node_modules', 'typescript');
const SMOKE_TREE = join('libs', 'contracts');
/** A small tree analysed before each measurement (not in smoke runs), split finely so every agent loads its grammars. */
const WARM_UP_TREE = join('libs', 'contracts', 'src');
const WARM_UP_CHUNK_BYTES = 8 * 1024;
const SIZES = [1, 4];
const SMOKE_SIZES = [1];
const MB = 1_000_000;

/**
 * Analysis throughput: a repository job (repo-scan, then repo-chunk children with the default
 * 256 KiB chunks and every analyzer) over a real tree on the agents' filesystem, with 1 and then
 * 4 agents in one cluster, beside `cloc` over the same files. MB/s = bytes of the files the job
 * analysed (the report's totals) / wall time: the job's createdAt -> finishedAt for ContextForge,
 * the process's run time for cloc.
 */
export const analysis: Scenario = {
  id: 'analysis',
  title: 'Analysis throughput',
  async run(ctx: BenchContext): Promise<Figure[]> {
    const tree = join(ctx.rootDir, ctx.smoke ? SMOKE_TREE : TREE);
    const sizes = ctx.smoke ? SMOKE_SIZES : SIZES;
    const options = { rootDir: ctx.rootDir, agents: 1, maxAgents: Math.max(...sizes) };
    const { perSize, report } = await withAgentFleet(options, ctx.log, async (fleet) => {
      const measured = new Map<number, number>();
      let last: RepoReport | undefined;
      for (const size of sizes) {
        const more = size - fleet.agentNames().length;
        if (more > 0) await fleet.addAgents(more);
        if (!ctx.smoke) await runJob(fleet, join(ctx.rootDir, WARM_UP_TREE), WARM_UP_CHUNK_BYTES);
        const { seconds, report } = await runJob(fleet, tree);
        ctx.log(
          `analysis: ${size} agent(s), ${report.totals.files} files, ${(report.totals.bytes / MB).toFixed(2)} MB, ` +
            `${report.chunks.total} chunks in ${seconds.toFixed(2)} s`,
        );
        measured.set(size, report.totals.bytes / MB / seconds);
        last = report;
      }
      if (!last) throw new Error('analysis: no job ran');
      return { perSize: measured, report: last };
    });

    const files = await analysedFiles(tree, report);
    const cloc = await timeCloc(tree, files.paths);
    ctx.log(
      `analysis: cloc ${cloc.version} over the same ${files.paths.length} files (${cloc.files} counted) in ${cloc.seconds.toFixed(2)} s`,
    );
    const treeName = ctx.smoke ? SMOKE_TREE : TREE;
    const what = `${treeName}, ${report.totals.files} files, ${(report.totals.bytes / MB).toFixed(1)} MB (files > 2 MiB skipped)`;
    const figures: Figure[] = [...perSize].map(([size, mbPerSecond]) => ({
      id: `analysis.throughput.${size}`,
      label: `repository job, ${size} agent${size === 1 ? '' : 's'}, every analyzer: ${what}`,
      value: mbPerSecond,
      unit: 'MB/s',
    }));
    figures.push({
      id: 'analysis.cloc',
      label: `cloc ${cloc.version} on the same files (line counts only, one process)`,
      value: report.totals.bytes / MB / cloc.seconds,
      unit: 'MB/s',
    });
    return figures;
  },
};

/** Submits a repository job over `path` and waits until it succeeded with a complete report. */
async function runJob(
  fleet: AgentFleet,
  path: string,
  chunkBytes?: number,
): Promise<{ seconds: number; report: RepoReport }> {
  const { client } = fleet.cluster;
  const { jobId } = await client.submitRepositoryJob({ path, ...(chunkBytes ? { chunkBytes } : {}) });
  await waitFor(
    async () => {
      await failOnCrash(fleet);
      return FINAL_TASK_STATUSES.has((await client.getTask(jobId)).status);
    },
    { timeoutMs: 600_000, intervalMs: 100, label: `repository job ${jobId} over ${path}` },
  );
  const job = await client.getTask(jobId);
  if (job.status !== 'succeeded' || !job.finishedAt)
    throw new Error(`repository job over ${path} ended ${job.status}: ${JSON.stringify(job.lastError)}`);
  const report = await client.getRepositoryReport(jobId);
  if (!report.complete)
    throw new Error(
      `repository job over ${path} is incomplete: ${JSON.stringify(report.missing.files.slice(0, 5))}`,
    );
  return { seconds: (Date.parse(job.finishedAt) - Date.parse(job.createdAt)) / 1000, report };
}
