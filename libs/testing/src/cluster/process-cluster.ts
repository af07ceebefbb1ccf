import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tailFile } from './log-tail';
import { ManagedProcess, type ProcessExit, type ProcessSpec } from './managed-process';
import { waitUntilReady } from './wait-ready';

export interface ProcessClusterOptions {
  /** Where the `<name>.log` files go (default: a fresh temp dir `contextforge-cluster-*`). */
  logDir?: string;
  /** Environment every process starts from, before its spec's env (default: this process's). */
  baseEnv?: Record<string, string | undefined>;
  /** Longest wait for one process's readiness URL (default 60 s). */
  readyTimeoutMs?: number;
  /** How long stop waits after SIGTERM before SIGKILL (default 10 s). */
  stopGraceMs?: number;
  /** Log lines quoted in a start failure (default 40). */
  tailLines?: number;
}

export interface CrashReport {
  name: string;
  exit: ProcessExit;
}

/**
 * A set of OS processes started from command lines, for system and fault tests. Generic: it
 * knows nothing about the apps it runs.
 *
 * - Each process leads its own process group; signals go to the group.
 * - stdout and stderr are appended to `<logDir>/<name>.log`, kept after stop (restarts append).
 * - start() waits for each spec's readiness URL (bounded); a failure names the process and
 *   quotes the last lines of its log.
 * - kill() sends any signal (SIGKILL, SIGSTOP, SIGCONT, SIGTERM) for fault tests; restart()
 *   stops a process if it still runs and starts it again from the same spec.
 * - stopAll() sends SIGTERM (and SIGCONT, so a stopped process can act on it) to every running
 *   process, then SIGKILL to those still running after the grace period.
 * - If the test process exits without stopAll(), the groups still running get SIGKILL.
 *
 * Left out: restarting crashed processes by itself (a test decides), log rotation.
 */
export class ProcessCluster {
  readonly logDir: string;
  private readonly baseEnv: Record<string, string | undefined>;
  private readonly readyTimeoutMs: number;
  private readonly stopGraceMs: number;
  private readonly tailLines: number;
  private readonly processes = new Map<string, ManagedProcess>();
  private readonly killOnExit = () => {
    for (const child of this.processes.values()) child.signal('SIGKILL');
  };

  constructor(options: ProcessClusterOptions = {}) {
    this.logDir = options.logDir ?? mkdtempSync(join(tmpdir(), 'contextforge-cluster-'));
    mkdirSync(this.logDir, { recursive: true });
    this.baseEnv = options.baseEnv ?? process.env;
    this.readyTimeoutMs = options.readyTimeoutMs ?? 60_000;
    this.stopGraceMs = options.stopGraceMs ?? 10_000;
    this.tailLines = options.tailLines ?? 40;
    process.on('exit', this.killOnExit);
  }

  /** Starts the specs in parallel and resolves once every one is ready; rejects on the first failure. */
  async start(...specs: ProcessSpec[]): Promise<void> {
    for (const spec of specs) {
      if (this.processes.get(spec.name)?.running) throw new Error(`${spec.name} is already running`);
    }
    await Promise.all(specs.map((spec) => this.startOne(spec)));
  }

  names(): string[] {
    return [...this.processes.keys()];
  }

  logPath(name: string): string {
    return join(this.logDir, `${name}.log`);
  }

  /** The last `lines` lines of a process's log. */
  logTail(name: string, lines = this.tailLines): Promise<string> {
    return tailFile(this.logPath(name), lines);
  }

  pid(name: string): number {
    return this.get(name).pid;
  }

  /**
   * The pid of every running process, by name. Each leads its own process group (group id = pid),
   * so a reader of /proc can also find whatever it started.
   */
  pids(): Record<string, number> {
    return Object.fromEntries(
      [...this.processes.values()]
        .filter((child) => child.running)
        .map((child) => [child.spec.name, child.pid]),
    );
  }

  isRunning(name: string): boolean {
    return this.get(name).running;
  }

  /** Resolves when the current incarnation of `name` exits. */
  exited(name: string): Promise<ProcessExit> {
    return this.get(name).exited;
  }

  /** Processes that exited although the harness neither stopped nor killed them. */
  crashed(): CrashReport[] {
    return [...this.processes.values()]
      .filter((child) => child.exit !== undefined && !child.exitExpected)
      .map((child) => ({ name: child.spec.name, exit: child.exit as ProcessExit }));
  }

  /** Sends `signal` to the process group; false if it is not running. */
  kill(name: string, signal: NodeJS.Signals = 'SIGKILL'): boolean {
    const child = this.get(name);
    if (signal !== 'SIGSTOP' && signal !== 'SIGCONT' && signal !== 'SIGTSTP') child.exitExpected = true;
    return child.signal(signal);
  }

  /** SIGTERM, then SIGKILL after the grace period; resolves with how it ended. */
  async stop(name: string): Promise<ProcessExit> {
    const child = this.get(name);
    child.exitExpected = true;
    if (child.signal('SIGTERM')) child.signal('SIGCONT');
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), this.stopGraceMs);
    });
    const first = await Promise.race([child.exited, grace]);
    clearTimeout(timer);
    if (first === 'timeout') child.signal('SIGKILL');
    return child.exited;
  }

  /** Stops `name` if it runs, then starts it again from the same spec and waits until it is ready. */
  async restart(name: string): Promise<void> {
    const { spec } = this.get(name);
    await this.stop(name);
    await this.startOne(spec);
  }

  /** Stops every running process (in parallel). The logs stay in logDir. */
  async stopAll(): Promise<void> {
    await Promise.all(
      [...this.processes.values()]
        .filter((child) => child.running)
        .map((child) => this.stop(child.spec.name)),
    );
    process.off('exit', this.killOnExit);
  }

  private async startOne(spec: ProcessSpec): Promise<void> {
    const logPath = this.logPath(spec.name);
    const child = await ManagedProcess.spawn(spec, this.baseEnv, logPath);
    this.processes.set(spec.name, child);
    if (!process.listeners('exit').includes(this.killOnExit)) process.on('exit', this.killOnExit);
    if (spec.readyUrl === undefined) return;
    try {
      await waitUntilReady(child, spec.readyUrl, { timeoutMs: this.readyTimeoutMs });
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new Error(
        `${spec.name} failed to start: ${reason}\n--- last lines of ${logPath} ---\n${await this.logTail(spec.name)}`,
      );
    }
  }

  private get(name: string): ManagedProcess {
    const child = this.processes.get(name);
    if (!child) throw new Error(`no process named ${name} (known: ${this.names().join(', ') || 'none'})`);
    return child;
  }
}
