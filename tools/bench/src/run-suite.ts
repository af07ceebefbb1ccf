import { COMPARISONS_TITLE, RATIOS, ratioFigures, type RatioDefinition } from './derived-figures';
import type { BenchContext, Figure, Scenario } from './scenario';
import { median } from './stats';

/** One figure over every run: its values in run order and their median. */
export interface FigureSummary extends Omit<Figure, 'value'> {
  /** The `scenario` column: the scenario's title, or COMPARISONS_TITLE for ratios. */
  scenario: string;
  values: number[];
  median: number;
}

export interface ScenarioFailure {
  scenarioId: string;
  /** 1-based. */
  run: number;
  message: string;
}

export interface SuiteResult {
  runs: number;
  scenarioIds: string[];
  figures: FigureSummary[];
  failures: ScenarioFailure[];
  startedAt: Date;
  durationMs: number;
}

export interface SuiteOptions {
  scenarios: readonly Scenario[];
  runs: number;
  ctx: BenchContext;
  ratios?: readonly RatioDefinition[];
}

/**
 * Runs every scenario once per run, in order, run after run (so the scenarios a ratio compares
 * ran minutes apart, under the same conditions), adds the ratios of each run, and summarises
 * each figure as the median of its runs. A scenario that throws is recorded as a failure of
 * that run and the suite goes on; its figures then have fewer values.
 */
export async function runSuite(options: SuiteOptions): Promise<SuiteResult> {
  const { ctx } = options;
  const startedAt = new Date();
  const summaries = new Map<string, FigureSummary>();
  const failures: ScenarioFailure[] = [];
  const record = (scenario: string, figure: Figure): void => {
    const { value, ...description } = figure;
    const summary = summaries.get(figure.id);
    if (summary) {
      summary.values.push(value);
    } else {
      summaries.set(figure.id, { ...description, scenario, values: [value], median: Number.NaN });
    }
  };

  for (let run = 1; run <= options.runs; run += 1) {
    const runFigures: Figure[] = [];
    for (const scenario of options.scenarios) {
      ctx.log(`run ${run}/${options.runs}: ${scenario.id}`);
      const began = performance.now();
      try {
        const figures = await scenario.run(ctx);
        const seen = new Set<string>();
        for (const figure of figures) {
          if (seen.has(figure.id) || runFigures.some((other) => other.id === figure.id)) {
            throw new Error(`figure id ${figure.id} appears twice`);
          }
          seen.add(figure.id);
        }
        for (const figure of figures) record(scenario.title, figure);
        runFigures.push(...figures);
        ctx.log(
          `  done in ${((performance.now() - began) / 1000).toFixed(1)} s: ` +
            figures.map((figure) => `${figure.id} ${figure.value.toFixed(2)} ${figure.unit}`).join(', '),
        );
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        failures.push({ scenarioId: scenario.id, run, message });
        ctx.log(`  FAILED: ${message}`);
      }
    }
    for (const figure of ratioFigures(runFigures, options.ratios ?? RATIOS))
      record(COMPARISONS_TITLE, figure);
  }

  const figures = [...summaries.values()].map((summary) => ({ ...summary, median: median(summary.values) }));
  return {
    runs: options.runs,
    scenarioIds: options.scenarios.map((scenario) => scenario.id),
    figures,
    failures,
    startedAt,
    durationMs: Date.now() - startedAt.getTime(),
  };
}
