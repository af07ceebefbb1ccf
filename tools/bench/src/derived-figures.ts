import type { Figure } from './scenario';

/** A figure computed from two others of the same run: numerator / denominator. */
export interface RatioDefinition {
  id: string;
  label: string;
  numerator: string;
  denominator: string;
  unit: string;
  target?: Figure['target'];
}

/** The report's `scenario` column for ratios. */
export const COMPARISONS_TITLE = 'Comparisons (same run)';

/**
 * Ratios between scenarios, computed per run (so both sides ran minutes apart on the same
 * machine, not on different days), then reported as the median like any figure.
 */
export const RATIOS: readonly RatioDefinition[] = [
  {
    id: 'ratio.embedded-vs-bullmq',
    label: 'embedded throughput / BullMQ throughput',
    numerator: 'embedded.throughput',
    denominator: 'bullmq.throughput',
    unit: 'x',
    target: { op: '>=', value: 2 },
  },
  {
    id: 'ratio.cluster-vs-bullmq',
    label: 'cluster throughput / BullMQ throughput',
    numerator: 'cluster.throughput',
    denominator: 'bullmq.throughput',
    unit: 'x',
    target: { op: '>=', value: 1 },
  },
  {
    id: 'ratio.cluster-2-schedulers-vs-1',
    label: 'cluster throughput with 2 scheduler replicas / with 1',
    numerator: 'cluster-2-schedulers.throughput',
    denominator: 'cluster.throughput',
    unit: 'x',
    target: {
      op: '>=',
      value: 1.3,
      note: 'when the scheduler is the bottleneck: see the CPU-ms per task rows',
    },
  },
  {
    id: 'ratio.cluster-vs-kafkajs',
    label: 'cluster tasks/s / raw kafkajs end-to-end msg/s (share of the Kafka client floor)',
    numerator: 'cluster.throughput',
    denominator: 'kafkajs.end-to-end',
    unit: 'x',
  },
];

/** The ratios whose two figures are both among `figures` (one run's). */
export function ratioFigures(
  figures: readonly Figure[],
  ratios: readonly RatioDefinition[] = RATIOS,
): Figure[] {
  const byId = new Map(figures.map((figure) => [figure.id, figure.value]));
  const result: Figure[] = [];
  for (const ratio of ratios) {
    const numerator = byId.get(ratio.numerator);
    const denominator = byId.get(ratio.denominator);
    if (numerator === undefined || denominator === undefined || !(denominator > 0)) continue;
    result.push({
      id: ratio.id,
      label: ratio.label,
      value: numerator / denominator,
      unit: ratio.unit,
      ...(ratio.target ? { target: ratio.target } : {}),
    });
  }
  return result;
}
