import type { CommandSpec, OptionSpec } from './command';
import { COMMANDS, GROUPS } from './commands';

export const GLOBAL_OPTIONS: Readonly<Record<string, OptionSpec>> = {
  gateway: {
    type: 'string',
    valueName: 'url',
    description:
      'Gateway URL (env CONTEXTFORGE_GATEWAY, else the credentials file, else http://127.0.0.1:8080)',
  },
  token: {
    type: 'string',
    valueName: 'token',
    description:
      'Client JWT or API key (env CF_TOKEN or CONTEXTFORGE_TOKEN, else .contextforge/credentials.json)',
  },
  json: { type: 'boolean', description: 'Machine-readable JSON output' },
  help: { type: 'boolean', short: 'h', description: 'Show help' },
};

const EXIT_CODE_LINES = [
  'Exit codes:',
  '  0  ok                    3  not authenticated or not allowed     6  not available on this gateway',
  '  1  operation failed      4  task, agent or key not found          130 interrupted (Ctrl-C)',
  '  2  usage error           5  gateway unreachable',
];

function optionLines(options: Readonly<Record<string, OptionSpec>>): string[] {
  const entries = Object.entries(options).map(([name, spec]) => {
    const flag = `${spec.short ? `-${spec.short}, ` : '    '}--${name}${spec.valueName ? ` <${spec.valueName}>` : ''}`;
    return [flag, spec.description] as const;
  });
  const width = Math.max(0, ...entries.map(([flag]) => flag.length));
  return entries.map(([flag, description]) => `  ${flag.padEnd(width)}  ${description}`);
}

function commandLines(commands: readonly CommandSpec[]): string[] {
  const entries = commands.map(
    (command) =>
      [`${command.path.join(' ')}${command.args ? ` ${command.args}` : ''}`, command.summary] as const,
  );
  const width = Math.max(0, ...entries.map(([usage]) => usage.length));
  return entries.map(([usage, summary]) => `  ${usage.padEnd(width)}  ${summary}`);
}

export function mainHelp(): string {
  return [
    'contextforge: the ContextForge command line (tasks, agents, search, repository analysis)',
    '',
    'Usage: contextforge <command> [options]',
    '',
    'Commands:',
    ...commandLines(COMMANDS),
    '',
    'Global options:',
    ...optionLines(GLOBAL_OPTIONS),
    '',
    ...EXIT_CODE_LINES,
    '',
    'Run `contextforge <command> --help` for the options of a command.',
    '',
  ].join('\n');
}

export function groupHelp(group: string): string {
  const commands = COMMANDS.filter((command) => command.path[0] === group);
  return [
    `contextforge ${group}: ${GROUPS[group] ?? ''}`,
    '',
    `Usage: contextforge ${group} <${commands.map((command) => command.path[1]).join('|')}> [options]`,
    '',
    'Commands:',
    ...commandLines(commands),
    '',
    'Global options:',
    ...optionLines(GLOBAL_OPTIONS),
    '',
  ].join('\n');
}

export function commandHelp(command: CommandSpec): string {
  const options =
    Object.keys(command.options).length > 0 ? ['Options:', ...optionLines(command.options), ''] : [];
  return [
    `contextforge ${command.path.join(' ')}: ${command.summary}`,
    '',
    `Usage: ${usageOf(command)}`,
    '',
    ...(command.details && command.details.length > 0 ? [...command.details, ''] : []),
    ...options,
    'Global options:',
    ...optionLines(GLOBAL_OPTIONS),
    '',
    ...EXIT_CODE_LINES,
    '',
  ].join('\n');
}

export function usageOf(command: CommandSpec): string {
  const hasOptions = Object.keys(command.options).length > 0;
  return `contextforge ${command.path.join(' ')}${command.args ? ` ${command.args}` : ''}${hasOptions ? ' [options]' : ''}`;
}
