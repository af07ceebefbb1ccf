import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CpuWindow,
  cpuMsPerTask,
  cpuTicks,
  parseProcStat,
  processGroup,
  processesNamed,
  readProcStats,
} from './process-cpu';

/** A /proc/<pid>/stat line as Linux 6 writes it, with the fields these tests look at set. */
function statLine(
  pid: number,
  comm: string,
  times: { pgrp?: number; utime: number; stime: number; cutime?: number; cstime?: number },
): string {
  const { pgrp = pid, utime, stime, cutime = 0, cstime = 0 } = times;
  // pid (comm) state ppid pgrp session tty_nr tpgid flags minflt cminflt majflt cmajflt utime stime cutime cstime ...
  return `${pid} (${comm}) S 1 ${pgrp} ${pgrp} 0 -1 4194560 2617 0 0 0 ${utime} ${stime} ${cutime} ${cstime} 20 0 11 0 1234 1093214208 12345 18446744073709551615 1 1 0 0 0 0 0 16781312 17922 0 0 0 17 1 0 0 0 0 0\n`;
}

describe('parseProcStat', () => {
  it('reads the process group and the four times', () => {
    expect(
      parseProcStat(statLine(4242, 'node', { pgrp: 4200, utime: 1503, stime: 211, cutime: 7, cstime: 3 })),
    ).toEqual({
      pid: 4242,
      comm: 'node',
      pgrp: 4200,
      utime: 1503,
      stime: 211,
      cutime: 7,
      cstime: 3,
    });
  });

  it('counts fields from the last parenthesis, so a name with spaces and parentheses is read whole', () => {
    const stat = parseProcStat(statLine(17, 'a) b (c', { utime: 5, stime: 6 }));
    expect(stat).toMatchObject({ pid: 17, comm: 'a) b (c', pgrp: 17, utime: 5, stime: 6 });
  });

  it('refuses a line that is not one', () => {
    expect(() => parseProcStat('hello')).toThrow('not a /proc/<pid>/stat line');
    expect(() => parseProcStat('1 (x) S 1')).toThrow('field 5 is not a number');
  });

  it('reads this very process from the real /proc', () => {
    const self = readProcStats().find((stat) => stat.pid === process.pid);
    expect(self?.utime).toBeGreaterThan(0);
  });
});

describe('CPU over a window', () => {
  let proc: string;
  const write = (pid: number, line: string) => {
    mkdirSync(join(proc, String(pid)), { recursive: true });
    writeFileSync(join(proc, String(pid), 'stat'), line);
  };
  const remove = (pid: number) => rmSync(join(proc, String(pid)), { recursive: true, force: true });

  beforeEach(() => {
    proc = mkdtempSync(join(tmpdir(), 'bench-proc-'));
    // Not processes: left out.
    mkdirSync(join(proc, 'self'));
    writeFileSync(join(proc, 'uptime'), '1.0 1.0\n');
  });
  afterEach(() => rmSync(proc, { recursive: true, force: true }));

  it('adds up a process group, user and system time and reaped children', () => {
    write(100, statLine(100, 'node', { utime: 50, stime: 10, cutime: 4, cstime: 1 }));
    write(101, statLine(101, 'sh', { pgrp: 100, utime: 2, stime: 3 }));
    write(200, statLine(200, 'node', { utime: 999, stime: 999 }));
    const stats = readProcStats(proc);
    expect(cpuTicks(stats, processGroup('gateway', 100))).toBe(50 + 10 + 4 + 1 + 2 + 3);
    expect(cpuTicks(stats, processesNamed('node', 'node'))).toBe(65 + 1998);
  });

  it('answers milliseconds between the readings at the clock tick rate, whatever came and went', () => {
    // The postmaster and two backends; one backend exits (reaped into the postmaster's cutime and
    // cstime) and a new one starts between the readings.
    write(10, statLine(10, 'postgres', { utime: 100, stime: 50 }));
    write(11, statLine(11, 'postgres', { pgrp: 10, utime: 30, stime: 10 }));
    write(12, statLine(12, 'postgres', { pgrp: 10, utime: 5, stime: 5 }));
    write(20, statLine(20, 'node', { utime: 400, stime: 100 }));
    const window = CpuWindow.open([processGroup('scheduler-1', 20), processesNamed('postgres', 'postgres')], {
      procDir: proc,
      ticksPerSecond: 100,
    });

    remove(12);
    // Backend 12 ran 4 more ticks before it exited: 14 ticks in all, now the postmaster's.
    write(10, statLine(10, 'postgres', { utime: 102, stime: 51, cutime: 10, cstime: 4 }));
    write(11, statLine(11, 'postgres', { pgrp: 10, utime: 40, stime: 12 }));
    write(13, statLine(13, 'postgres', { pgrp: 10, utime: 6, stime: 1 }));
    write(20, statLine(20, 'node', { utime: 650, stime: 130 }));

    expect(window.close()).toEqual([
      { id: 'scheduler-1', label: 'scheduler-1', cpuMs: (250 + 30) * 10 },
      // postmaster 3 + backend 11: 12 + backend 12: 4 + backend 13: 7.
      { id: 'postgres', label: 'postgres', cpuMs: (3 + 12 + 4 + 7) * 10 },
    ]);
  });

  it('never answers less than nothing for a group whose member left unreaped', () => {
    write(30, statLine(30, 'node', { utime: 10, stime: 0 }));
    write(31, statLine(31, 'helper', { pgrp: 30, utime: 90, stime: 0 }));
    const window = CpuWindow.open([processGroup('agent-1', 30)], { procDir: proc, ticksPerSecond: 100 });
    remove(31);
    expect(window.close()).toEqual([{ id: 'agent-1', label: 'agent-1', cpuMs: 0 }]);
  });

  it('divides by the tasks of the window and refuses none', () => {
    expect(cpuMsPerTask({ id: 'gateway', label: 'gateway', cpuMs: 12_340 }, 20_000)).toBeCloseTo(0.617);
    expect(() => cpuMsPerTask({ id: 'gateway', label: 'gateway', cpuMs: 10 }, 0)).toThrow(RangeError);
  });
});
