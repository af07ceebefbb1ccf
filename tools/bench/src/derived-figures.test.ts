import { ratioFigures } from './derived-figures';
import type { Figure } from './scenario';

const figure = (id: string, value: number): Figure => ({ id, label: id, value, unit: 'tasks/s' });

describe('ratioFigures', () => {
  it('divides the figures of one run and carries the target', () => {
    const ratios = ratioFigures([
      figure('embedded.throughput', 3000),
      figure('bullmq.throughput', 1500),
      figure('cluster.throughput', 750),
      figure('cluster-2-schedulers.throughput', 1200),
      figure('kafkajs.end-to-end', 30000),
    ]);
    expect(ratios.map(({ id, value, target }) => ({ id, value, target }))).toEqual([
      { id: 'ratio.embedded-vs-bullmq', value: 2, target: { op: '>=', value: 2 } },
      { id: 'ratio.cluster-vs-bullmq', value: 0.5, target: { op: '>=', value: 1 } },
      {
        id: 'ratio.cluster-2-schedulers-vs-1',
        value: 1.6,
        target: {
          op: '>=',
          value: 1.3,
          note: 'when the scheduler is the bottleneck: see the CPU-ms per task rows',
        },
      },
      { id: 'ratio.cluster-vs-kafkajs', value: 0.025, target: undefined },
    ]);
  });

  it('leaves out a ratio when a side is missing or zero', () => {
    expect(ratioFigures([figure('embedded.throughput', 3000)])).toEqual([]);
    expect(ratioFigures([figure('embedded.throughput', 3000), figure('bullmq.throughput', 0)])).toEqual([]);
  });
});
