import { readFileSync, rmSync } from 'node:fs';
import { findFreePorts } from './free-ports';
import type { ProcessSpec } from './managed-process';
import { ProcessCluster } from './process-cluster';

/**
 * A tiny server to run as a child: answers /readyz; /exit makes it exit with code 7. Env:
 * FAIL (exit 3 before listening), NEVER_READY (never listen), IGNORE_TERM (survive SIGTERM).
 */
const SERVER = `
const http = require('node:http');
console.log('starting ' + process.env.NAME);
if (process.env.IGNORE_TERM) process.on('SIGTERM', () => console.log('ignoring SIGTERM'));
if (process.env.FAIL) { console.error('boom: cannot start'); process.exit(3); }
if (process.env.NEVER_READY) setInterval(() => undefined, 1000);
else http.createServer((req, res) => {
  if (req.url === '/exit') { res.end('bye'); setImmediate(() => process.exit(7)); return; }
  res.writeHead(req.url === '/readyz' ? 200 : 404);
  res.end('ok');
}).listen(Number(process.env.PORT), '127.0.0.1');
`;

function server(name: string, port: number, env: Record<string, string> = {}): ProcessSpec {
  return {
    name,
    command: process.execPath,
    args: ['-e', SERVER],
    env: { NAME: name, PORT: String(port), ...env },
    readyUrl: `http://127.0.0.1:${port}/readyz`,
  };
}

/** The process group of a running pid (Linux: field 5 of /proc/<pid>/stat). */
function processGroupOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
}

async function answers(url: string, timeoutMs = 500): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    return response.status === 200;
  } catch {
    return false;
  }
}

describe('ProcessCluster', () => {
  let cluster: ProcessCluster;
  let ports: number[];

  beforeEach(async () => {
    cluster = new ProcessCluster({ readyTimeoutMs: 10_000, stopGraceMs: 500 });
    ports = await findFreePorts(2);
  });

  afterEach(async () => {
    await cluster.stopAll();
    rmSync(cluster.logDir, { recursive: true, force: true });
  });

  const port = (index: number) => ports[index] ?? 0;

  it('starts processes in their own process groups, waits for readiness and captures their output', async () => {
    await cluster.start(server('one', port(0)), server('two', port(1)));

    expect(await answers(`http://127.0.0.1:${port(0)}/readyz`)).toBe(true);
    expect(await answers(`http://127.0.0.1:${port(1)}/readyz`)).toBe(true);
    for (const name of ['one', 'two']) {
      expect(processGroupOf(cluster.pid(name))).toBe(cluster.pid(name));
      expect(await cluster.logTail(name)).toContain(`starting ${name}`);
    }
    expect(cluster.pid('one')).not.toBe(process.pid);
    expect(cluster.pids()).toEqual({ one: cluster.pid('one'), two: cluster.pid('two') });
  });

  it('fails a start with the exit status and the last lines of the log', async () => {
    const failed = cluster.start(server('broken', port(0), { FAIL: '1' }));

    await expect(failed).rejects.toThrow(/broken failed to start: exited \(code 3[\s\S]*boom: cannot start/);
  });

  it('gives up on a process that never becomes ready, within the bounded wait', async () => {
    const impatient = new ProcessCluster({ readyTimeoutMs: 400, stopGraceMs: 500 });
    try {
      await expect(impatient.start(server('silent', port(0), { NEVER_READY: '1' }))).rejects.toThrow(
        /silent failed to start: not ready within 400 ms[\s\S]*starting silent/,
      );
      expect(impatient.isRunning('silent')).toBe(true);
    } finally {
      await impatient.stopAll();
      rmSync(impatient.logDir, { recursive: true, force: true });
    }
    expect(impatient.isRunning('silent')).toBe(false);
  });

  it('pauses a process with SIGSTOP and resumes it with SIGCONT', async () => {
    await cluster.start(server('paused', port(0)));
    const url = `http://127.0.0.1:${port(0)}/readyz`;

    expect(cluster.kill('paused', 'SIGSTOP')).toBe(true);
    expect(await answers(url, 300)).toBe(false);
    expect(cluster.kill('paused', 'SIGCONT')).toBe(true);
    expect(await answers(url, 5_000)).toBe(true);
    expect(cluster.crashed()).toEqual([]);
  });

  it('kills with SIGKILL and restarts from the same spec', async () => {
    await cluster.start(server('victim', port(0)));
    const firstPid = cluster.pid('victim');

    expect(cluster.kill('victim', 'SIGKILL')).toBe(true);
    await expect(cluster.exited('victim')).resolves.toEqual({ code: null, signal: 'SIGKILL' });
    expect(cluster.kill('victim', 'SIGKILL')).toBe(false);
    expect(cluster.crashed()).toEqual([]);
    expect(cluster.pids()).toEqual({});

    await cluster.restart('victim');
    expect(cluster.pid('victim')).not.toBe(firstPid);
    expect(await answers(`http://127.0.0.1:${port(0)}/readyz`)).toBe(true);
    // Restarts append to the same log.
    expect((await cluster.logTail('victim')).match(/starting victim/g)).toHaveLength(2);
  });

  it('reports a process that exited by itself as crashed', async () => {
    await cluster.start(server('quitter', port(0)), server('stayer', port(1)));

    await fetch(`http://127.0.0.1:${port(0)}/exit`).then((response) => response.text());
    await expect(cluster.exited('quitter')).resolves.toEqual({ code: 7, signal: null });
    expect(cluster.crashed()).toEqual([{ name: 'quitter', exit: { code: 7, signal: null } }]);
  });

  it('stopAll sends SIGTERM, then SIGKILL to a process still running after the grace period', async () => {
    await cluster.start(server('polite', port(0)), server('stubborn', port(1), { IGNORE_TERM: '1' }));
    cluster.kill('polite', 'SIGSTOP');

    await cluster.stopAll();

    // The stopped one got SIGCONT with its SIGTERM, so it ended by SIGTERM, not by the SIGKILL.
    await expect(cluster.exited('polite')).resolves.toEqual({ code: null, signal: 'SIGTERM' });
    await expect(cluster.exited('stubborn')).resolves.toEqual({ code: null, signal: 'SIGKILL' });
    expect(await cluster.logTail('stubborn')).toContain('ignoring SIGTERM');
    expect(cluster.crashed()).toEqual([]);
  });

  it('refuses an unknown name and a second start of a running process', async () => {
    await cluster.start(server('single', port(0)));

    expect(() => cluster.kill('nobody')).toThrow(/no process named nobody \(known: single\)/);
    await expect(cluster.start(server('single', port(1)))).rejects.toThrow(/single is already running/);
  });
});
