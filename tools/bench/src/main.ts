// `npm run bench`: runs the scenarios (tools/bench/src/scenarios) and writes the report's table
// of medians to docs/benchmarks.md, between the generated-part markers. See cli-options.ts.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { format, resolveConfig } from 'prettier';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { USAGE, parseCliOptions } from './cli-options';
import { describeMachine } from './machine-info';
import { mergeIntoDocument, renderReport } from './report';
import { runSuite } from './run-suite';
import { SCENARIOS } from './scenarios';

const ROOT = resolve(__dirname, '..', '..', '..');
const DOCS_REPORT = join(ROOT, 'docs', 'benchmarks.md');

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  const options = parseCliOptions(
    argv,
    SCENARIOS.map((scenario) => scenario.id),
  );
  if (options.help) {
    console.log(USAGE);
    return 0;
  }
  const out = resolve(
    options.out ??
      (options.smoke ? join(tmpdir(), `contextforge-bench-smoke-${Date.now()}.md`) : DOCS_REPORT),
  );
  if (options.smoke && out === DOCS_REPORT) throw new Error('a smoke run never writes docs/benchmarks.md');
  const scenarios = SCENARIOS.filter((scenario) => !options.only || options.only.includes(scenario.id));

  const log = (line: string) => console.log(`[bench] ${line}`);
  const result = await runSuite({
    scenarios,
    runs: options.runs,
    ctx: { smoke: options.smoke, rootDir: ROOT, log },
  });
  const generated = renderReport(result, await describeMachine(ROOT), {
    smoke: options.smoke,
    command: ['npm run bench', ...(argv.length > 0 ? ['--', ...argv] : [])].join(' '),
  });
  const document = mergeIntoDocument(existsSync(out) ? readFileSync(out, 'utf8') : undefined, generated);
  // Formatted as `prettier --check .` (part of npm test) expects docs/benchmarks.md to be.
  writeFileSync(out, await format(document, { ...(await resolveConfig(DOCS_REPORT)), parser: 'markdown' }));
  console.log(`\n${generated}\n\nwritten to ${out}`);
  return result.failures.length > 0 ? 1 : 0;
}

// Ctrl-C: exit through process.exit, whose 'exit' event makes each ProcessCluster kill the
// process groups it started (the scenario's own cleanup does not get to run).
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => process.exit(130));

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    console.error(USAGE);
    process.exit(2);
  },
);
