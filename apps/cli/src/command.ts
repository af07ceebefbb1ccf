import type { ContextForgeClient } from '@contextforge/client';
import type { CliIo } from './cli-io';
import type { Settings } from './settings';

export interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
  /** Shown in help, e.g. `--status <status>`. */
  valueName?: string;
  description: string;
}

export interface CommandContext {
  io: CliIo;
  /** `--json`: machine-readable output on stdout (errors as JSON on stderr). */
  json: boolean;
  settings: Settings;
  /** The client for the resolved gateway and token (exit 3 when there is no token). */
  client(): ContextForgeClient;
  out(text: string): void;
  /** Progress and notes for people: stderr, so stdout stays clean for pipes. */
  note(text: string): void;
}

export interface ParsedArgs {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
}

/** One runnable command, e.g. `tasks ls`. */
export interface CommandSpec {
  /** The words that select it: ['tasks', 'ls']. */
  path: readonly string[];
  summary: string;
  /** Arguments after the path, e.g. `<id>`. */
  args?: string;
  /** Longer help text (plain lines). */
  details?: readonly string[];
  options: Readonly<Record<string, OptionSpec>>;
  /** Positional arguments: exact count or range. */
  positionals: { min: number; max: number };
  /** Resolves with the exit code. */
  run(context: CommandContext, args: ParsedArgs): Promise<number>;
}
