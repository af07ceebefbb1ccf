import { spawn } from 'node:child_process';
import { appendFileSync, closeSync, openSync } from 'node:fs';

/** How to start one process of a cluster. */
export interface ProcessSpec {
  /** Unique within a cluster; names the log file `<name>.log`. */
  name: string;
  /** Executable, e.g. process.execPath for a Node script. */
  command: string;
  args?: readonly string[];
  /** Variables set over the cluster's base environment; an undefined value removes one. */
  env?: Record<string, string | undefined>;
  cwd?: string;
  /** Polled with GET until it answers 200 (e.g. http://127.0.0.1:8082/readyz). Unset: ready once spawned. */
  readyUrl?: string;
}

export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/**
 * One spawned OS process, leader of its own process group (so a signal reaches whatever it
 * starts too), with stdout and stderr appended to one log file. Spawning fails if the command
 * cannot be started at all (e.g. not found); a process that starts and then crashes is reported
 * through `exited`.
 */
export class ManagedProcess {
  /** Set once the harness itself stopped or killed it, so its exit is not a crash. */
  exitExpected = false;
  private exitInfo: ProcessExit | undefined;

  private constructor(
    readonly spec: ProcessSpec,
    readonly pid: number,
    readonly exited: Promise<ProcessExit>,
  ) {
    void exited.then((exit) => (this.exitInfo = exit));
  }

  static async spawn(spec: ProcessSpec, baseEnv: Record<string, string | undefined>, logPath: string) {
    const env = withoutUndefined({ ...baseEnv, ...spec.env });
    appendFileSync(
      logPath,
      `=== ${new Date().toISOString()} start ${spec.name}: ${spec.command} ${(spec.args ?? []).join(' ')}\n`,
    );
    const fd = openSync(logPath, 'a');
    try {
      const child = spawn(spec.command, [...(spec.args ?? [])], {
        cwd: spec.cwd,
        env,
        detached: true,
        stdio: ['ignore', fd, fd],
      });
      const exited = new Promise<ProcessExit>((resolve) => {
        child.once('exit', (code, signal) => resolve({ code, signal }));
      });
      if (child.pid === undefined) {
        const error = await new Promise<Error>((resolve) => child.once('error', resolve));
        throw new Error(`cannot start ${spec.name} (${spec.command}): ${error.message}`);
      }
      // 'error' after a successful spawn (a failed kill) must not crash the test process.
      child.on('error', () => undefined);
      return new ManagedProcess(spec, child.pid, exited);
    } finally {
      closeSync(fd);
    }
  }

  get running(): boolean {
    return this.exitInfo === undefined;
  }

  /** How it ended, once it has. */
  get exit(): ProcessExit | undefined {
    return this.exitInfo;
  }

  /** Sends `signal` to the whole process group; false if the group is already gone. */
  signal(signal: NodeJS.Signals): boolean {
    if (!this.running) return false;
    try {
      process.kill(-this.pid, signal);
      return true;
    } catch {
      return false;
    }
  }
}

function withoutUndefined(env: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
}
