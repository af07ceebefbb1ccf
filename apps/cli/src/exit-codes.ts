import { ContextForgeError } from '@contextforge/client';

/**
 * The CLI's exit codes (documented in docs/client.md and in `contextforge --help`). Scripts may
 * rely on them; never renumber one.
 */
export const EXIT_CODES = {
  ok: 0,
  /** The gateway refused or failed the operation, or the watched task did not succeed. */
  failed: 1,
  /** Bad command line: unknown command or option, missing or malformed argument. */
  usage: 2,
  /** No credentials, or the gateway did not accept them (401), or not allowed (403). */
  auth: 3,
  /** The task, agent or API key does not exist (or is not yours). */
  notFound: 4,
  /** No answer from the gateway (refused, DNS, timeout). */
  unreachable: 5,
  /** This gateway does not offer the endpoint the command needs (an older version: ROUTE_NOT_FOUND). */
  unavailable: 6,
  /** Stopped by Ctrl-C. */
  interrupted: 130,
} as const;
export type ExitCode = (typeof EXIT_CODES)[keyof typeof EXIT_CODES];

/** A command-line mistake: printed with the command's usage, exit code 2. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly usage?: string,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}

const NOT_FOUND_CODES: ReadonlySet<string> = new Set([
  'TASK_NOT_FOUND',
  'AGENT_NOT_FOUND',
  'API_KEY_NOT_FOUND',
]);

/** The exit code for anything a command threw. */
export function exitCodeFor(error: unknown): ExitCode {
  if (error instanceof UsageError) return EXIT_CODES.usage;
  if (error instanceof ContextForgeError) {
    if (error.status === 0) return EXIT_CODES.unreachable;
    if (error.code === 'ROUTE_NOT_FOUND') return EXIT_CODES.unavailable;
    if (error.code === 'UNAUTHENTICATED' || error.code === 'FORBIDDEN') return EXIT_CODES.auth;
    if (NOT_FOUND_CODES.has(error.code)) return EXIT_CODES.notFound;
  }
  return EXIT_CODES.failed;
}
