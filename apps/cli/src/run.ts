import { parseArgs } from 'node:util';
import { ContextForgeClient, ContextForgeError } from '@contextforge/client';
import type { CliIo } from './cli-io';
import type { CommandContext, CommandSpec, OptionSpec } from './command';
import { COMMANDS, GROUPS } from './commands';
import { EXIT_CODES, UsageError, exitCodeFor } from './exit-codes';
import { GLOBAL_OPTIONS, commandHelp, groupHelp, mainHelp, usageOf } from './help';
import { resolveSettings } from './settings';

/**
 * The whole CLI as a function: parses `argv` (without node and the script), runs the command
 * against the gateway and resolves with the exit code. Output goes to `io`; nothing here reads
 * process globals, so tests run it in-process.
 */
export async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const wantsJson = argv.includes('--json');
  try {
    return await dispatch(argv, io);
  } catch (error) {
    return report(error, io, wantsJson);
  }
}

async function dispatch(argv: readonly string[], io: CliIo): Promise<number> {
  const { words, indexes } = splitCommandWords(argv);
  const args = argv.filter((_, index) => !indexes.includes(index));
  const wantsHelp = args.includes('--help') || args.includes('-h');
  const [first, second] = words;
  if (first === undefined) {
    io[wantsHelp ? 'stdout' : 'stderr'].write(mainHelp());
    return wantsHelp ? EXIT_CODES.ok : EXIT_CODES.usage;
  }
  if (first === 'help') return printHelp(io, words.slice(1));
  let command: CommandSpec | undefined;
  if (Object.hasOwn(GROUPS, first)) {
    if (second === undefined) {
      if (wantsHelp) {
        io.stdout.write(groupHelp(first));
        return EXIT_CODES.ok;
      }
      throw new UsageError(`missing a ${first} command`, groupHelp(first));
    }
    command = COMMANDS.find((candidate) => candidate.path[0] === first && candidate.path[1] === second);
    if (!command) throw new UsageError(`unknown command "${first} ${second}"`, groupHelp(first));
  } else {
    command = COMMANDS.find((candidate) => candidate.path.length === 1 && candidate.path[0] === first);
    if (!command) throw new UsageError(`unknown command "${first}"`, mainHelp());
  }
  const parsed = parseCommandArgs(command, args);
  if (parsed.values['help']) {
    io.stdout.write(commandHelp(command));
    return EXIT_CODES.ok;
  }
  const { min, max } = command.positionals;
  if (parsed.positionals.length < min)
    throw new UsageError(`missing ${command.args ?? 'argument'}`, usageHint(command));
  if (parsed.positionals.length > max) {
    throw new UsageError(`unexpected argument "${parsed.positionals[max] ?? ''}"`, usageHint(command));
  }
  const settings = await resolveSettings(
    {
      ...(typeof parsed.values['gateway'] === 'string' ? { gateway: parsed.values['gateway'] } : {}),
      ...(typeof parsed.values['token'] === 'string' ? { token: parsed.values['token'] } : {}),
    },
    io.env,
    io.cwd,
  );
  let client: ContextForgeClient | undefined;
  const context: CommandContext = {
    io,
    json: parsed.values['json'] === true,
    settings,
    client() {
      if (settings.token === undefined) throw new MissingCredentials();
      client ??= new ContextForgeClient({
        baseUrl: settings.gatewayUrl,
        token: settings.token,
        userAgent: 'contextforge-cli',
      });
      return client;
    },
    out: (text) => void io.stdout.write(text),
    note: (text) => void io.stderr.write(text),
  };
  const code = await command.run(context, parsed);
  return io.signal?.aborted ? EXIT_CODES.interrupted : code;
}

class MissingCredentials extends Error {
  constructor() {
    super(
      'no credentials: pass --token, set CF_TOKEN or CONTEXTFORGE_TOKEN, or run where .contextforge/credentials.json is (npm start writes it)',
    );
  }
}

/**
 * The command words and where they are: the first one, two (a group such as `tasks`) or three
 * (`help tasks ls`) arguments that are not options or the values of global options, which may
 * come first (`contextforge --json tasks ls`).
 */
function splitCommandWords(argv: readonly string[]): { words: string[]; indexes: number[] } {
  const words: string[] = [];
  const indexes: number[] = [];
  for (let index = 0; index < argv.length; index += 1) {
    const arg = argv[index] ?? '';
    if (arg === '--') break;
    if (arg.startsWith('-')) {
      const name = arg.replace(/^--?/, '');
      if (GLOBAL_OPTIONS[name]?.type === 'string') index += 1;
      continue;
    }
    words.push(arg);
    indexes.push(index);
    const head = words[0] ?? '';
    const wanted = head === 'help' ? 3 : Object.hasOwn(GROUPS, head) ? 2 : 1;
    if (words.length >= wanted) break;
  }
  return { words, indexes };
}

function parseCommandArgs(command: CommandSpec, args: readonly string[]) {
  const options: Record<string, OptionSpec> = { ...GLOBAL_OPTIONS, ...command.options };
  try {
    const { values, positionals } = parseArgs({
      args: [...args],
      options: Object.fromEntries(
        Object.entries(options).map(([name, spec]) => [
          name,
          { type: spec.type, ...(spec.short ? { short: spec.short } : {}) },
        ]),
      ),
      allowPositionals: true,
      strict: true,
    });
    return { values: values as Record<string, string | boolean | undefined>, positionals };
  } catch (error) {
    throw new UsageError(
      (error as Error).message.replace(/\. To specify a positional argument.*$/s, ''),
      usageHint(command),
    );
  }
}

function usageHint(command: CommandSpec): string {
  return `Usage: ${usageOf(command)}\nRun \`contextforge ${command.path.join(' ')} --help\` for more.\n`;
}

function printHelp(io: CliIo, topic: readonly string[]): number {
  const [group, sub] = topic;
  const command = COMMANDS.find((candidate) => candidate.path.join(' ') === topic.join(' '));
  if (command) io.stdout.write(commandHelp(command));
  else if (group === undefined) io.stdout.write(mainHelp());
  else if (Object.hasOwn(GROUPS, group) && sub === undefined) io.stdout.write(groupHelp(group));
  else throw new UsageError(`unknown command "${topic.join(' ')}"`, mainHelp());
  return EXIT_CODES.ok;
}

function report(error: unknown, io: CliIo, json: boolean): number {
  const code = error instanceof MissingCredentials ? EXIT_CODES.auth : exitCodeFor(error);
  if (io.signal?.aborted) return EXIT_CODES.interrupted;
  const message = error instanceof Error ? error.message : String(error);
  if (json) {
    const body =
      error instanceof ContextForgeError
        ? {
            code: error.code,
            status: error.status,
            message,
            ...(error.details ? { details: error.details } : {}),
          }
        : {
            code:
              code === EXIT_CODES.usage ? 'USAGE' : code === EXIT_CODES.auth ? 'UNAUTHENTICATED' : 'FAILED',
            message,
          };
    io.stderr.write(`${JSON.stringify({ error: body })}\n`);
    return code;
  }
  let line = `contextforge: ${message}`;
  if (error instanceof ContextForgeError) {
    line += ` (${error.code}${error.status ? `, HTTP ${error.status}` : ''})`;
    if (error.code === 'UNAUTHENTICATED')
      line += '\n  check --token, CF_TOKEN / CONTEXTFORGE_TOKEN or .contextforge/credentials.json';
    if (error.code === 'ROUTE_NOT_FOUND')
      line += '\n  this gateway does not offer what the command needs (an older version?)';
    if (error.retryAfterMs !== undefined) line += `\n  retry in ${Math.ceil(error.retryAfterMs / 1000)} s`;
  }
  io.stderr.write(`${line}\n`);
  if (error instanceof UsageError && error.usage)
    io.stderr.write(`\n${error.usage.endsWith('\n') ? error.usage : `${error.usage}\n`}`);
  return code;
}
