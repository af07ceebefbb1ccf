/** Where the CLI reads its environment and writes its output; tests pass captured streams. */
export interface CliIo {
  stdout: { write(text: string): unknown; isTTY?: boolean; columns?: number };
  stderr: { write(text: string): unknown; isTTY?: boolean };
  /** The environment (CONTEXTFORGE_GATEWAY, CF_TOKEN, CONTEXTFORGE_TOKEN). */
  env: Readonly<Record<string, string | undefined>>;
  /** Where `.contextforge/credentials.json` and relative paths are looked up. */
  cwd: string;
  /** Aborted on Ctrl-C: streams stop, the command exits 130. */
  signal?: AbortSignal;
}
