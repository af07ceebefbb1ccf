import { parseDocument } from 'yaml';
import type { ConfigIssue } from './config-error';
import { ConfigError } from './config-error';
import { configSchema } from './config-schema';
import type { Config } from './config-types';
import { deepFreeze } from './deep-freeze';
import { applyEnvOverrides } from './env-overrides';
import { describeValue } from './fields';
import { interpolateTree, isPlainObject, type EnvRecord } from './interpolate';
import { toConfigIssues } from './zod-issues';

export interface LoadConfigOptions {
  /** The YAML document; absent or empty means "all defaults". */
  yamlText?: string;
  /** The environment to expand `${VAR}` from and to read overrides from (apps pass process.env). */
  env: EnvRecord;
  /** Names the YAML's origin (a file path) in syntax errors. */
  sourceName?: string;
}

/**
 * The configuration as a pure function of a YAML text and an env record:
 * parse -> drop keys without a value -> expand `${VAR}` -> apply env overrides (ENV_OVERRIDES) ->
 * validate, convert units and apply defaults -> deep-freeze. Throws ConfigError listing every
 * problem found; nothing here reads files or process.env.
 */
export function loadConfig(options: LoadConfigOptions): Config {
  const root = parseYaml(options.yamlText ?? '', options.sourceName);
  const interpolated = interpolateTree(withoutNulls(root), options.env);
  const overridden = applyEnvOverrides(interpolated.value as Record<string, unknown>, options.env);
  const parsed = configSchema.safeParse(overridden.tree, { reportInput: true });

  // A string whose `${VAR}` could not be expanded is reported once, not again as a bad value.
  const unexpandable = new Set(interpolated.issues.map((issue) => issue.path));
  const schemaIssues = parsed.success
    ? []
    : toConfigIssues(parsed.error).filter((issue) => !unexpandable.has(issue.path));
  const issues = [...interpolated.issues, ...overridden.issues, ...schemaIssues].map((issue) =>
    withSource(issue, overridden.sources),
  );
  if (issues.length > 0 || !parsed.success) throw new ConfigError(issues);
  return deepFreeze(parsed.data);
}

function parseYaml(text: string, sourceName: string | undefined): Record<string, unknown> {
  const document = parseDocument(text);
  const where = sourceName ? `${sourceName}: ` : '';
  if (document.errors.length > 0) {
    // The yaml library's messages read "<what> at line L, column C:" followed by a code excerpt.
    throw new ConfigError(
      document.errors.map((error) => ({
        path: '',
        message: `${where}invalid YAML: ${(error.message.split('\n')[0] ?? '').replace(/:$/, '')}`,
      })),
    );
  }
  const value: unknown = document.toJS();
  if (value === null || value === undefined) return {};
  if (!isPlainObject(value)) {
    throw new ConfigError([
      {
        path: '',
        message: `${where}expected a mapping of sections (agent, coordinator, ...), got ${describeValue(value)}`,
      },
    ]);
  }
  return value;
}

/** `key:` with nothing after it means the same as leaving the key out. Nulls inside lists stay. */
function withoutNulls(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withoutNulls);
  if (!isPlainObject(node)) return node;
  return Object.fromEntries(
    Object.entries(node)
      .filter(([, child]) => child !== null && child !== undefined)
      .map(([key, child]) => [key, withoutNulls(child)]),
  );
}

/** Appends "(from env X)" when the value at the issue's path, or above it, came from a variable. */
function withSource(issue: ConfigIssue, sources: ReadonlyMap<string, string>): ConfigIssue {
  let path = issue.path;
  while (path !== '') {
    const variable = sources.get(path);
    if (variable) return { ...issue, message: `${issue.message} (from env ${variable})` };
    const parent = path.replace(/(\.[^.[]*|\[\d+\])$|^[^.[]*$/, '');
    if (parent === path) break;
    path = parent;
  }
  return issue;
}
