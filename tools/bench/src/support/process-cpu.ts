import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The CPU fields of one /proc/<pid>/stat line (proc(5)); times in clock ticks. */
export interface ProcStat {
  pid: number;
  /** The executable's name as the kernel keeps it (at most 15 characters), e.g. `node`, `postgres`. */
  comm: string;
  /** Process group id. */
  pgrp: number;
  utime: number;
  stime: number;
  /** User and system time of the children it has waited for. */
  cutime: number;
  cstime: number;
}

/**
 * Parses one /proc/<pid>/stat line. The name is in parentheses and may itself hold spaces and
 * parentheses, so the fields are counted from the last `)`.
 */
export function parseProcStat(line: string): ProcStat {
  const open = line.indexOf('(');
  const close = line.lastIndexOf(')');
  if (open < 0 || close < open) throw new Error(`not a /proc/<pid>/stat line: ${line.slice(0, 80)}`);
  // Fields 3 (state) onwards; field n is at index n - 3.
  const fields = line
    .slice(close + 2)
    .trim()
    .split(/\s+/);
  const field = (n: number): number => {
    const value = Number(fields[n - 3]);
    if (!Number.isFinite(value)) throw new Error(`/proc/<pid>/stat field ${n} is not a number: ${line}`);
    return value;
  };
  return {
    pid: Number(line.slice(0, open).trim()),
    comm: line.slice(open + 1, close),
    pgrp: field(5),
    utime: field(14),
    stime: field(15),
    cutime: field(16),
    cstime: field(17),
  };
}

/** Every process's stat under `procDir`; processes that exit while it reads are left out. */
export function readProcStats(procDir = '/proc'): ProcStat[] {
  const stats: ProcStat[] = [];
  for (const entry of readdirSync(procDir)) {
    if (!/^\d+$/.test(entry)) continue;
    let text: string;
    try {
      text = readFileSync(join(procDir, entry, 'stat'), 'utf8');
    } catch {
      continue;
    }
    stats.push(parseProcStat(text));
  }
  return stats;
}

/** Which processes one figure adds up. */
export interface CpuTarget {
  /** kebab-case, part of a figure id, e.g. `scheduler-1`, `postgres`. */
  id: string;
  /** The report's name for it, e.g. `scheduler-1` or `postgres (all backends, machine-wide)`. */
  label: string;
  matches(stat: ProcStat): boolean;
}

/** Every process in the group `leader` leads: the process and whatever it started. */
export function processGroup(id: string, leader: number, label = id): CpuTarget {
  return { id, label, matches: (stat) => stat.pgrp === leader };
}

/** Every process whose comm is `comm`, whoever started it. */
export function processesNamed(id: string, comm: string, label = id): CpuTarget {
  return { id, label, matches: (stat) => stat.comm === comm };
}

/**
 * The CPU time of the processes `target` matches: their own user and system time plus that of
 * the children they have reaped. Counting reaped children is what makes a difference of two
 * readings right for sets whose members come and go (PostgreSQL backends, one per connection):
 * a backend that exits between the readings leaves the first one and reappears, whole, in its
 * parent's cutime/cstime in the second, so the difference holds exactly its time in between.
 */
export function cpuTicks(stats: readonly ProcStat[], target: CpuTarget): number {
  let ticks = 0;
  for (const stat of stats) {
    if (target.matches(stat)) ticks += stat.utime + stat.stime + stat.cutime + stat.cstime;
  }
  return ticks;
}

/** CPU spent by one target over a window. */
export interface CpuUsage {
  id: string;
  label: string;
  /** CPU milliseconds between the two readings (a multiple of one clock tick, usually 10 ms). */
  cpuMs: number;
}

/** CPU-ms per task of one usage: its milliseconds over the tasks its window ran. */
export function cpuMsPerTask(usage: CpuUsage, tasks: number): number {
  if (!(tasks > 0)) throw new RangeError(`cpuMsPerTask: ${tasks} tasks`);
  return usage.cpuMs / tasks;
}

/** Clock ticks per second (`getconf CLK_TCK`; 100 on every common Linux if getconf is missing). */
export function clockTicksPerSecond(): number {
  try {
    const value = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    return Number.isInteger(value) && value > 0 ? value : 100;
  } catch {
    return 100;
  }
}

export interface CpuWindowOptions {
  /** Default /proc. */
  procDir?: string;
  /** Default clockTicksPerSecond(). */
  ticksPerSecond?: number;
}

/**
 * CPU time of other processes over a window, read from /proc (Linux only): `open` reads every
 * target's ticks, `close` reads them again and answers the difference in milliseconds.
 * process.cpuUsage only knows the calling process, hence /proc. Resolution is one clock tick per
 * process and reading (10 ms at CLK_TCK 100): meaningful over seconds, not over one task.
 */
export class CpuWindow {
  private constructor(
    private readonly targets: readonly CpuTarget[],
    private readonly before: readonly number[],
    private readonly procDir: string,
    private readonly ticksPerSecond: number,
  ) {}

  static open(targets: readonly CpuTarget[], options: CpuWindowOptions = {}): CpuWindow {
    const procDir = options.procDir ?? '/proc';
    const stats = readProcStats(procDir);
    return new CpuWindow(
      targets,
      targets.map((target) => cpuTicks(stats, target)),
      procDir,
      options.ticksPerSecond ?? clockTicksPerSecond(),
    );
  }

  /**
   * Each target's CPU milliseconds since `open`. Never below 0: a member that exits unreaped by
   * another member (its parent outside the target) takes its ticks with it.
   */
  close(): CpuUsage[] {
    const stats = readProcStats(this.procDir);
    return this.targets.map((target, index) => ({
      id: target.id,
      label: target.label,
      cpuMs: (Math.max(0, cpuTicks(stats, target) - (this.before[index] ?? 0)) * 1000) / this.ticksPerSecond,
    }));
  }
}
