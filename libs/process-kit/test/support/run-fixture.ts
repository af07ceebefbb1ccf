import { spawn, type ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';

const REPO_ROOT = resolve(__dirname, '../../../..');
const FIXTURE = join(__dirname, '../fixtures/service.ts');

export interface FixtureExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/**
 * The fixture service in its own process, compiled on the fly by tsx with the repo's path
 * aliases. The environment is minimal (no PORT or CONTEXTFORGE__* leaking in from the shell).
 */
export class FixtureProcess {
  stdout = '';
  stderr = '';
  readonly exited: Promise<FixtureExit>;
  private readonly child: ChildProcess;
  private readonly waiters: Array<{ stream: 'stdout' | 'stderr'; text: string; resolve: () => void }> = [];

  constructor(mode: string, env: Record<string, string> = {}) {
    this.child = spawn(process.execPath, ['--import', 'tsx', FIXTURE, mode], {
      cwd: REPO_ROOT,
      env: {
        PATH: process.env['PATH'] ?? '',
        HOME: process.env['HOME'] ?? '/tmp',
        TSX_TSCONFIG_PATH: join(REPO_ROOT, 'tsconfig.base.json'),
        LOG_LEVEL: 'info',
        ...env,
      },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.child.stdout?.on('data', (chunk: Buffer) => {
      this.stdout += chunk.toString();
      this.notify();
    });
    this.child.stderr?.on('data', (chunk: Buffer) => {
      this.stderr += chunk.toString();
      this.notify();
    });
    this.exited = new Promise((resolve) => {
      this.child.once('exit', (code, signal) => resolve({ code, signal }));
    });
  }

  /** Resolves once `stream` contains `text`; rejects if the process exits first or after timeoutMs. */
  printed(text: string, stream: 'stdout' | 'stderr' = 'stdout', timeoutMs = 15_000): Promise<void> {
    if (this[stream].includes(text)) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const describe = () => `stdout: ${JSON.stringify(this.stdout)}; stderr: ${JSON.stringify(this.stderr)}`;
      const timer = setTimeout(
        () => reject(new Error(`no "${text}" within ${timeoutMs} ms; ${describe()}`)),
        timeoutMs,
      );
      void this.exited.then(() => {
        clearTimeout(timer);
        if (this[stream].includes(text)) resolve();
        else reject(new Error(`exited without printing "${text}"; ${describe()}`));
      });
      this.waiters.push({
        stream,
        text,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      });
    });
  }

  /** Writes a line to the process's stdin. */
  send(line: string): void {
    this.child.stdin?.write(`${line}\n`);
  }

  signal(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }

  /** The plain (non-JSON) lines the fixture printed, in order; JSON lines are the logger's. */
  plainLines(): string[] {
    return this.stdout.split('\n').filter((line) => line !== '' && !line.startsWith('{'));
  }

  /** The logger's JSON lines. */
  logLines(): Array<Record<string, unknown>> {
    return this.stdout
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  }

  private notify(): void {
    for (const waiter of [...this.waiters]) {
      if (this[waiter.stream].includes(waiter.text)) {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
  }

  /** Kills the process if a test left it running. */
  kill(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }
}
