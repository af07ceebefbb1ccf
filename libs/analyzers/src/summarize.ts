import type { CodeUnit, FileAnalysis } from '@contextforge/contracts';

/**
 * Per-language totals and complexity hotspots. Additive by construction: the merge of the
 * summaries of any partition of a file list equals the summary of the whole list, which is how
 * the repository job aggregates its chunks.
 */

export const HOTSPOT_LIMIT = 20;

export interface LanguageTotals {
  files: number;
  code: number;
  comment: number;
  blank: number;
  units: number;
}

export interface Hotspot {
  path: string;
  name: string;
  kind: CodeUnit['kind'];
  startLine: number;
  endLine: number;
  complexity: number;
}

export interface AnalysisSummary {
  /** Totals per language, keys sorted. */
  languages: Record<string, LanguageTotals>;
  /** Totals over all languages. */
  total: LanguageTotals;
  /** The most complex functions and methods, highest first (ties by path, line, name). */
  hotspots: Hotspot[];
}

const zero = (): LanguageTotals => ({ files: 0, code: 0, comment: 0, blank: 0, units: 0 });

const add = (into: LanguageTotals, other: LanguageTotals) => {
  into.files += other.files;
  into.code += other.code;
  into.comment += other.comment;
  into.blank += other.blank;
  into.units += other.units;
};

const byRank = (a: Hotspot, b: Hotspot) =>
  b.complexity - a.complexity ||
  (a.path < b.path ? -1 : a.path > b.path ? 1 : 0) ||
  a.startLine - b.startLine ||
  (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

export function summarize(files: readonly FileAnalysis[]): AnalysisSummary {
  const parts: AnalysisSummary[] = files.map((file) => {
    const totals = {
      files: 1,
      code: file.lines.code,
      comment: file.lines.comment,
      blank: file.lines.blank,
      units: file.units.length,
    };
    const hotspots = file.units.flatMap((unit): Hotspot[] =>
      unit.complexity === undefined
        ? []
        : [
            {
              path: file.path,
              name: unit.name,
              kind: unit.kind,
              startLine: unit.startLine,
              endLine: unit.endLine,
              complexity: unit.complexity,
            },
          ],
    );
    return { languages: { [file.language]: totals }, total: { ...totals }, hotspots };
  });
  return mergeSummaries(parts);
}

/** Combines summaries of disjoint file sets. */
export function mergeSummaries(summaries: readonly AnalysisSummary[]): AnalysisSummary {
  const languages = new Map<string, LanguageTotals>();
  const total = zero();
  const hotspots: Hotspot[] = [];
  for (const summary of summaries) {
    for (const [language, totals] of Object.entries(summary.languages)) {
      let into = languages.get(language);
      if (!into) languages.set(language, (into = zero()));
      add(into, totals);
    }
    add(total, summary.total);
    hotspots.push(...summary.hotspots);
  }
  return {
    languages: Object.fromEntries([...languages.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
    total,
    hotspots: hotspots.sort(byRank).slice(0, HOTSPOT_LIMIT),
  };
}
