import type { Figure } from '../scenario';
import type { GatewayWorkloadResult } from './gateway-workload';
import type { WorkloadSizes } from './workload-sizes';

/** The figures of one gateway workload run, ids prefixed with `prefix` (embedded, cluster). */
export function throughputFigures(
  prefix: string,
  result: GatewayWorkloadResult,
  sizes: WorkloadSizes,
  latencyTargets?: { p50: number; p99: number },
): Figure[] {
  const samples = `${result.latencyMs.samples} tasks one at a time, idle system`;
  return [
    {
      id: `${prefix}.throughput`,
      label: `throughput, ${sizes.tasks} echo tasks, first submit -> last result stored`,
      value: result.tasksPerSecond,
      unit: 'tasks/s',
    },
    {
      id: `${prefix}.cold-start`,
      label: `cold start: the first ${sizes.warmupTasks} tasks on a fresh system (the warm-up), submit -> all settled`,
      value: result.warmupPerSecond,
      unit: 'tasks/s',
    },
    {
      id: `${prefix}.accepted`,
      label: `submission rate (POST /tasks/batch of ${sizes.batchSize}, ${sizes.inFlightBatches} in flight)`,
      value: result.acceptedPerSecond,
      unit: 'tasks/s',
    },
    {
      id: `${prefix}.latency-p50`,
      label: `latency p50, submit -> succeeded on the task stream (${samples})`,
      value: result.latencyMs.p50,
      unit: 'ms',
      ...(latencyTargets ? { target: { op: '<=' as const, value: latencyTargets.p50 } } : {}),
    },
    {
      id: `${prefix}.latency-p99`,
      label: `latency p99, submit -> succeeded on the task stream (${samples})`,
      value: result.latencyMs.p99,
      unit: 'ms',
      ...(latencyTargets ? { target: { op: '<=' as const, value: latencyTargets.p99 } } : {}),
    },
  ];
}
