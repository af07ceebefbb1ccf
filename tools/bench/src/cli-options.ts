import { parseArgs } from 'node:util';

export interface CliOptions {
  smoke: boolean;
  runs: number;
  /** Scenario ids to run (in registry order); undefined: all. */
  only?: string[];
  /** Where to write the report; undefined: the default for the mode. */
  out?: string;
  help: boolean;
}

export const USAGE = `usage: npm run bench -- [--runs N] [--only <scenario,...>] [--out <file>] [--smoke]
  --runs N     runs of every scenario; the report shows the median (default 3)
  --only ids   run only these scenarios (comma-separated)
  --out file   write the report here (default docs/benchmarks.md; with --smoke a temp file)
  --smoke      tiny sizes and one run: proves the harness works, measures nothing`;

/** Parses the command line; throws an Error whose message says what is wrong. */
export function parseCliOptions(argv: readonly string[], scenarioIds: readonly string[]): CliOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      smoke: { type: 'boolean', default: false },
      runs: { type: 'string' },
      only: { type: 'string' },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  const smoke = values.smoke ?? false;
  const runs = values.runs === undefined ? (smoke ? 1 : 3) : Number(values.runs);
  if (!Number.isInteger(runs) || runs < 1)
    throw new Error(`--runs ${values.runs}: expected a whole number >= 1`);
  let only: string[] | undefined;
  if (values.only !== undefined) {
    only = values.only
      .split(',')
      .map((id) => id.trim())
      .filter(Boolean);
    const unknown = only.filter((id) => !scenarioIds.includes(id));
    if (only.length === 0 || unknown.length > 0) {
      throw new Error(
        `--only ${values.only}: unknown scenario(s) ${unknown.join(', ')}; known: ${scenarioIds.join(', ')}`,
      );
    }
  }
  return {
    smoke,
    runs,
    ...(only ? { only } : {}),
    ...(values.out === undefined ? {} : { out: values.out }),
    help: values.help ?? false,
  };
}
