import type { RepoReport } from '@contextforge/contracts';

/** Metadata a written report carries beside the job's report. */
export interface ReportMeta {
  jobId: string;
  gateway: string;
  /** ISO time the report was written. */
  generatedAt: string;
}

/** The JSON report file: the job's report as the gateway returned it, with where and when. Pure. */
export function renderJsonReport(report: RepoReport, meta: ReportMeta): string {
  return `${JSON.stringify({ meta, report }, null, 2)}\n`;
}
