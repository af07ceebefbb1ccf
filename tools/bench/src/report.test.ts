import type { MachineInfo } from './machine-info';
import { BEGIN_MARKER, END_MARKER, formatValue, mergeIntoDocument, renderReport } from './report';
import type { SuiteResult } from './run-suite';

const machine: MachineInfo = {
  cpu: 'Test CPU',
  cores: 2,
  memory: '24.0 GiB',
  os: 'Linux 6.1',
  node: 'v20.20.0',
  postgres: 'PostgreSQL 15.20',
  redis: 'Redis 7.0.15',
  kafka: 'kcat 1.7.1, librdkafka 2.0.2 (mock cluster)',
  libraries: 'bullmq 6.7.0, ioredis 6.0.0, kafkajs 2.2.4',
};

const result: SuiteResult = {
  runs: 3,
  scenarioIds: ['embedded-throughput'],
  startedAt: new Date('2026-01-02T03:04:05Z'),
  durationMs: 90_000,
  failures: [{ scenarioId: 'bullmq', run: 2, message: 'redis\nrefused' }],
  figures: [
    {
      scenario: 'Embedded',
      id: 'embedded.latency-p50',
      label: 'latency p50 | submit',
      unit: 'ms',
      values: [0.8, 1.4, 0.9],
      median: 0.9,
      target: { op: '<=', value: 1 },
    },
    {
      scenario: 'Embedded',
      id: 'embedded.throughput',
      label: 'throughput',
      unit: 'tasks/s',
      values: [1234.4, 1300, 1250],
      median: 1250,
      target: { op: '>=', value: 2000 },
    },
    {
      scenario: 'Embedded',
      id: 'embedded.accepted',
      label: 'accepted',
      unit: 'tasks/s',
      values: [5],
      median: 5,
    },
  ],
};

describe('renderReport', () => {
  const report = renderReport(result, machine, { smoke: false, command: 'npm run bench' });

  it('has one row per figure with median, every run, target and verdict', () => {
    expect(report).toContain(
      '| Embedded | latency p50 \\| submit (`embedded.latency-p50`) | **0.90 ms** | 0.80 / 1.40 / 0.90 | <= 1 ms | met |',
    );
    expect(report).toContain(
      '| Embedded | throughput (`embedded.throughput`) | **1,250 tasks/s** | 1,234 / 1,300 / 1,250 | >= 2000 tasks/s | missed |',
    );
    expect(report).toContain('| Embedded | accepted (`embedded.accepted`) | **5.00 tasks/s** | 5.00 |  |  |');
  });

  it('describes the machine, lists failures on one line and says how to reproduce', () => {
    expect(report).toContain('- Machine: Test CPU, 2 cores, 24.0 GiB memory, Linux 6.1');
    expect(report).toContain('PostgreSQL 15.20; Redis 7.0.15; kcat 1.7.1, librdkafka 2.0.2 (mock cluster)');
    expect(report).toContain('- run 2, bullmq: redis refused');
    expect(report).toContain('Reproduce: `npm run bench`');
  });
});

describe('mergeIntoDocument', () => {
  it('replaces only the generated part of a document that has the markers', () => {
    const before = `# Benchmarks\n\nintro\n\n${BEGIN_MARKER}\nold table\n${END_MARKER}\n\n## History\nkept\n`;
    const merged = mergeIntoDocument(before, 'new table');
    expect(merged).toBe(
      `# Benchmarks\n\nintro\n\n${BEGIN_MARKER}\n\nnew table\n\n${END_MARKER}\n\n## History\nkept\n`,
    );
    expect(mergeIntoDocument(merged, 'newer')).toContain('newer');
    expect(mergeIntoDocument(merged, 'newer')).not.toContain('new table');
  });

  it('puts the generated part first in a document without markers, and starts a missing one', () => {
    expect(mergeIntoDocument('old notes\n', 'table')).toBe(
      `# Benchmarks\n\n${BEGIN_MARKER}\n\ntable\n\n${END_MARKER}\n\nold notes\n`,
    );
    expect(mergeIntoDocument(undefined, 'table')).toBe(
      `# Benchmarks\n\n${BEGIN_MARKER}\n\ntable\n\n${END_MARKER}\n`,
    );
  });
});

describe('formatValue', () => {
  it('keeps three significant places or so', () => {
    expect(formatValue(12345.6, 'msg/s')).toBe('12,346 msg/s');
    expect(formatValue(12.34, 'ms')).toBe('12.3 ms');
    expect(formatValue(0.456, 'x')).toBe('0.46 x');
    expect(formatValue(Number.NaN, 'ms')).toBe('NaN ms');
  });
});
