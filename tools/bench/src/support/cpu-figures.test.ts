import { POSTGRES_LABEL, clusterCpuTargets, cpuFigures } from './cpu-figures';
import type { ProcStat } from './process-cpu';

const stat = (pid: number, comm: string, pgrp = pid): ProcStat => ({
  pid,
  comm,
  pgrp,
  utime: 0,
  stime: 0,
  cutime: 0,
  cstime: 0,
});

describe('clusterCpuTargets', () => {
  it('lists the apps along the request path, numbered ones in order, then kcat and postgres', () => {
    const targets = clusterCpuTargets(
      {
        registry: 2,
        'result-store': 3,
        'scheduler-2': 5,
        'scheduler-1': 4,
        gateway: 6,
        'agent-10': 9,
        'agent-2': 8,
        'agent-1': 7,
      },
      1,
    );
    expect(targets.map((target) => [target.id, target.label])).toEqual([
      ['gateway', 'gateway'],
      ['registry', 'registry'],
      ['scheduler-1', 'scheduler-1'],
      ['scheduler-2', 'scheduler-2'],
      ['result-store', 'result-store'],
      ['agent-1', 'agent-1'],
      ['agent-2', 'agent-2'],
      ['agent-10', 'agent-10'],
      ['kcat', 'kcat (Kafka mock)'],
      ['postgres', POSTGRES_LABEL],
    ]);
  });

  it('matches an app by its process group, kcat by its pid and postgres by name', () => {
    const [scheduler, kcat, postgres] = clusterCpuTargets({ 'scheduler-1': 40 }, 50);
    expect(scheduler?.matches(stat(41, 'node', 40))).toBe(true);
    expect(scheduler?.matches(stat(40, 'node', 1))).toBe(false);
    expect(kcat?.matches(stat(50, 'kcat'))).toBe(true);
    expect(postgres?.matches(stat(77, 'postgres', 60))).toBe(true);
    expect(clusterCpuTargets({}).map((target) => target.id)).toEqual(['postgres']);
  });
});

describe('cpuFigures', () => {
  const usage = [
    { id: 'gateway', label: 'gateway', cpuMs: 4_000 },
    { id: 'scheduler-1', label: 'scheduler-1', cpuMs: 10_000 },
    { id: 'registry', label: 'registry', cpuMs: 0 },
    { id: 'kcat', label: 'kcat (Kafka mock)', cpuMs: 2_000 },
    { id: 'postgres', label: POSTGRES_LABEL, cpuMs: 6_000 },
  ];

  it('gives every process its CPU-ms per task, and the apps together without kcat and postgres', () => {
    const figures = cpuFigures('cluster', usage, 20_000, '20000 tasks');
    expect(figures.map(({ id, value, unit }) => [id, value, unit])).toEqual([
      ['cluster.cpu-ms-per-task.gateway', 0.2, 'CPU-ms/task'],
      ['cluster.cpu-ms-per-task.scheduler-1', 0.5, 'CPU-ms/task'],
      ['cluster.cpu-ms-per-task.registry', 0, 'CPU-ms/task'],
      ['cluster.cpu-ms-per-task.kcat', 0.1, 'CPU-ms/task'],
      ['cluster.cpu-ms-per-task.postgres', 0.3, 'CPU-ms/task'],
      ['cluster.cpu-ms-per-task.apps', 0.7, 'CPU-ms/task'],
    ]);
    expect(figures[4]?.label).toBe(`CPU per task, ${POSTGRES_LABEL} (utime+stime from /proc, 20000 tasks)`);
  });

  it('lets a single process read 0 (under one clock tick), never the apps together', () => {
    const figures = cpuFigures('cluster-2-schedulers', usage, 100, 'w');
    expect(figures.filter((figure) => figure.mayBeZero !== true).map((figure) => figure.id)).toEqual([
      'cluster-2-schedulers.cpu-ms-per-task.apps',
    ]);
  });
});
