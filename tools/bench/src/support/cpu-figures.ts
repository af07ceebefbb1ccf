import type { Figure } from '../scenario';
import { cpuMsPerTask, processGroup, processesNamed, type CpuTarget, type CpuUsage } from './process-cpu';

/** The report's label of the PostgreSQL target: it cannot tell this run's backends from others'. */
export const POSTGRES_LABEL = 'postgres (all backends, machine-wide)';

/** The order of the report's rows: the request's path first, then the helpers. */
const ROLE_ORDER = ['gateway', 'registry', 'scheduler', 'result-store', 'agent'];

/**
 * What to measure in a cluster run: each app process by its name (with whatever it started: its
 * process group), the Kafka mock's kcat when its pid is known, and every `postgres` process on the
 * machine (one per connection, of this run's database and any other's).
 */
export function clusterCpuTargets(processes: Record<string, number>, kafkaMockPid?: number): CpuTarget[] {
  const rank = (name: string) => {
    const role = ROLE_ORDER.findIndex((prefix) => name === prefix || name.startsWith(`${prefix}-`));
    return role < 0 ? ROLE_ORDER.length : role;
  };
  const apps = Object.entries(processes).sort(
    ([a], [b]) => rank(a) - rank(b) || a.localeCompare(b, 'en', { numeric: true }),
  );
  return [
    ...apps.map(([name, pid]) => processGroup(name, pid)),
    ...(kafkaMockPid === undefined ? [] : [processGroup('kcat', kafkaMockPid, 'kcat (Kafka mock)')]),
    processesNamed('postgres', 'postgres', POSTGRES_LABEL),
  ];
}

/**
 * One figure per target, `<prefix>.cpu-ms-per-task.<target>`: its CPU-ms over the `tasks` of the
 * window, plus `<prefix>.cpu-ms-per-task.apps`, the ContextForge processes together (neither kcat
 * nor PostgreSQL). Figures a healthy run may measure as 0 (a process idle for the whole window
 * reads under one clock tick) say so.
 */
export function cpuFigures(
  prefix: string,
  usage: readonly CpuUsage[],
  tasks: number,
  window: string,
): Figure[] {
  const figure = (id: string, label: string, cpuMs: number, mayBeZero = true): Figure => ({
    id: `${prefix}.cpu-ms-per-task.${id}`,
    label: `CPU per task, ${label} (utime+stime from /proc, ${window})`,
    value: cpuMsPerTask({ id, label, cpuMs }, tasks),
    unit: 'CPU-ms/task',
    ...(mayBeZero ? { mayBeZero } : {}),
  });
  const apps = usage.filter((entry) => entry.id !== 'kcat' && entry.id !== 'postgres');
  return [
    ...usage.map((entry) => figure(entry.id, entry.label, entry.cpuMs)),
    figure(
      'apps',
      'the ContextForge processes together',
      apps.reduce((sum, entry) => sum + entry.cpuMs, 0),
      false,
    ),
  ];
}
