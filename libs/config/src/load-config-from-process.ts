import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConfigError } from './config-error';
import type { Config } from './config-types';
import type { EnvRecord } from './interpolate';
import { loadConfig } from './load-config';

/** The environment variable naming the config file when `--config` is not given. */
export const CONFIG_FILE_ENV = 'CONTEXTFORGE_CONFIG';

/** Reads a config file as text; an unreadable file is a ConfigError naming the path and the reason. */
export function readConfigFile(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    // Not `instanceof Error`: fs errors may come from another realm (e.g. under Jest).
    const reason =
      typeof error === 'object' && error !== null && 'message' in error
        ? String(error.message)
        : String(error);
    throw new ConfigError([
      { path: '', message: `cannot read config file ${JSON.stringify(path)}: ${reason}` },
    ]);
  }
}

export interface ProcessContext {
  /** Command-line arguments after the script (process.argv.slice(2)). */
  argv: readonly string[];
  env: EnvRecord;
  /** Relative config paths are resolved against this directory. */
  cwd: string;
}

/**
 * What every app's main.ts calls: the file named by `--config <path>` (or `--config=<path>`),
 * else by the CONTEXTFORGE_CONFIG variable, else no file (defaults + env), through loadConfig.
 * Other arguments are ignored; they belong to the app.
 */
export function loadConfigFromProcess(context: ProcessContext): Config {
  const path = configPathFrom(context);
  if (path === undefined) return loadConfig({ env: context.env });
  const absolute = resolve(context.cwd, path);
  return loadConfig({ yamlText: readConfigFile(absolute), env: context.env, sourceName: absolute });
}

function configPathFrom({ argv, env }: ProcessContext): string | undefined {
  for (const [index, argument] of argv.entries()) {
    if (argument.startsWith('--config=')) return nonEmpty(argument.slice('--config='.length));
    if (argument === '--config') return nonEmpty(argv[index + 1]);
  }
  const fromEnv = env[CONFIG_FILE_ENV];
  return fromEnv === undefined || fromEnv.trim() === '' ? undefined : fromEnv;
}

function nonEmpty(value: string | undefined): string {
  if (value === undefined || value.trim() === '' || value.startsWith('--')) {
    throw new ConfigError([
      { path: '', message: '--config needs a file path, e.g. --config ./contextforge.yaml' },
    ]);
  }
  return value;
}
