import { spawnSync } from 'node:child_process';

/**
 * Runs an outside tool (kubectl, promtool) and answers its stdout. A missing tool fails with a message
 * that names it and how to get it, not with a bare ENOENT; a failing run fails with the tool's stderr.
 */
export function runTool(
  command: string,
  args: readonly string[],
  options: { install: string; input?: string; cwd?: string },
): { stdout: string; stderr: string; status: number } {
  const result = spawnSync(command, [...args], {
    encoding: 'utf8',
    input: options.input,
    cwd: options.cwd,
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.error) {
    if ((result.error as NodeJS.ErrnoException).code === 'ENOENT')
      throw new Error(`${command} is not on PATH; these checks need it (${options.install})`);
    throw result.error;
  }
  return { stdout: result.stdout, stderr: result.stderr, status: result.status ?? 1 };
}
