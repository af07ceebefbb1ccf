import {
  HOTSPOT_LIMIT,
  REPORT_FILES_LIMIT,
  REPORT_FINDINGS_LIMIT,
  addFindingCounts,
  addLanguageTotals,
  compareFindings,
  emptyLanguageTotals,
  mergeLanguages,
  topHotspots,
  type FindingCounts,
  type LanguageTotals,
  type RepoChunkOutput,
  type RepoReport,
  type SkippedFile,
} from '@contextforge/contracts';

export interface ReportHeader {
  root: string;
  analyzers: readonly string[];
  chunks: number;
  skipped: readonly SkippedFile[];
}

/**
 * Folds chunk outcomes into one RepoReport, one chunk at a time (the coordinator reads results one
 * by one, so memory stays at the size of the report). Every step is additive or a top-N of a
 * union, so the report does not depend on the chunk boundaries or on the order chunks are added.
 * Nothing is hidden: a chunk that did not succeed puts all its files under `missing` with its
 * reason, and so does each file a succeeded chunk could not analyse.
 */
export class ReportBuilder {
  private readonly languages: Record<string, LanguageTotals> = {};
  private hotspots: RepoReport['hotspots'] = [];
  private readonly findingCounts: FindingCounts = { total: 0, bySeverity: {}, byRule: {} };
  private findings: RepoReport['findings']['items'] = [];
  private symbols = 0;
  private succeeded = 0;
  private failed = 0;
  private missingCount = 0;
  private readonly missingFiles: RepoReport['missing']['files'] = [];
  private readonly missingChunks: RepoReport['missing']['chunks'] = [];

  constructor(private readonly header: ReportHeader) {}

  addSucceeded(output: RepoChunkOutput): void {
    this.succeeded += 1;
    mergeLanguages(this.languages, output.languages);
    this.hotspots = topHotspots([...this.hotspots, ...output.hotspots], HOTSPOT_LIMIT);
    addFindingCounts(this.findingCounts, output.findingCounts);
    this.findings = [...this.findings, ...output.findings]
      .sort(compareFindings)
      .slice(0, REPORT_FINDINGS_LIMIT);
    this.symbols += output.symbolCount;
    for (const error of output.errors) this.addMissing(error.path, error.message);
  }

  /** A chunk that finally failed, was dead-lettered or cancelled: all its files are missing. */
  addFailed(chunk: {
    index: number;
    taskId: string;
    status: string;
    reason: string;
    files: readonly string[];
  }): void {
    this.failed += 1;
    this.missingChunks.push({
      index: chunk.index,
      taskId: chunk.taskId,
      status: chunk.status,
      reason: chunk.reason,
      files: chunk.files.length,
    });
    for (const path of chunk.files)
      this.addMissing(path, `chunk ${chunk.index} ${chunk.status}: ${chunk.reason}`);
  }

  build(): RepoReport {
    const totals = emptyLanguageTotals();
    for (const language of Object.values(this.languages)) addLanguageTotals(totals, language);
    const languages = Object.fromEntries(
      Object.entries(this.languages).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
    );
    this.missingChunks.sort((a, b) => a.index - b.index);
    return {
      root: this.header.root,
      analyzers: [...this.header.analyzers],
      complete: this.missingCount === 0,
      totals,
      languages,
      hotspots: this.hotspots,
      findings: {
        ...this.findingCounts,
        items: this.findings,
        truncated: this.findings.length < this.findingCounts.total,
      },
      index: { symbols: this.symbols },
      chunks: { total: this.header.chunks, succeeded: this.succeeded, failed: this.failed },
      skipped: {
        count: this.header.skipped.length,
        files: this.header.skipped.slice(0, REPORT_FILES_LIMIT),
      },
      missing: {
        count: this.missingCount,
        files: [...this.missingFiles].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)),
        chunks: this.missingChunks,
      },
    };
  }

  private addMissing(path: string, reason: string): void {
    this.missingCount += 1;
    if (this.missingFiles.length < REPORT_FILES_LIMIT) this.missingFiles.push({ path, reason });
  }
}
