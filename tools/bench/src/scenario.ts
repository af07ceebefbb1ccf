/**
 * The contract between the bench harness (main.ts, run-suite.ts) and its scenarios
 * (scenarios/<id>.ts, listed in scenarios/index.ts).
 *
 * A scenario starts what it measures, runs one measurement, stops everything it started (also
 * when it fails) and returns its figures. The harness runs it `runs` times and reports the median
 * of each figure. A scenario never decides whether a figure is good: it may declare a target, the
 * report judges it, and CI never fails on speed.
 */

export interface BenchContext {
  /** Tiny sizes (CI's smoke run): the figures only have to exist and be sane. */
  smoke: boolean;
  /** Repository root: the bundled apps are in `<rootDir>/dist/apps/<app>/main.js`. */
  rootDir: string;
  /** One progress line for the person watching (not part of the report). */
  log(line: string): void;
}

/** One measured number of one run. */
export interface Figure {
  /** Stable id, `<scenario>.<figure>`, e.g. `embedded.throughput`; ratios refer to it. */
  id: string;
  /** What it is, for the report's `figure` column, e.g. "tasks/s, first submit -> last result". */
  label: string;
  /** Finite; > 0 for every figure a healthy run produces, unless `mayBeZero`. */
  value: number;
  /** e.g. tasks/s, ms, msg/s, x, %. */
  unit: string;
  /**
   * A healthy run may measure 0, e.g. the CPU time of a process that stayed under one clock tick
   * (10 ms) for the whole window.
   */
  mayBeZero?: boolean;
  /** The figure the issue asks for; the report says whether the median meets it. */
  target?: { op: '>=' | '<='; value: number; note?: string };
}

export interface Scenario {
  /** kebab-case, also the file name and the `--only` value. */
  id: string;
  /** The report's `scenario` column. */
  title: string;
  run(ctx: BenchContext): Promise<Figure[]>;
}
