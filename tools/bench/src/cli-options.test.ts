import { parseCliOptions } from './cli-options';

const IDS = ['embedded-throughput', 'bullmq'];

describe('parseCliOptions', () => {
  it('defaults to 3 runs of everything, and 1 run for a smoke run', () => {
    expect(parseCliOptions([], IDS)).toEqual({ smoke: false, runs: 3, help: false });
    expect(parseCliOptions(['--smoke'], IDS)).toEqual({ smoke: true, runs: 1, help: false });
  });

  it('reads --runs, --only and --out', () => {
    expect(
      parseCliOptions(['--runs', '5', '--only', 'bullmq, embedded-throughput', '--out', 'x.md'], IDS),
    ).toEqual({ smoke: false, runs: 5, only: ['bullmq', 'embedded-throughput'], out: 'x.md', help: false });
  });

  it('refuses a bad run count, an unknown scenario and an unknown flag', () => {
    expect(() => parseCliOptions(['--runs', '0'], IDS)).toThrow('--runs 0');
    expect(() => parseCliOptions(['--runs', '1.5'], IDS)).toThrow('--runs 1.5');
    expect(() => parseCliOptions(['--only', 'nope'], IDS)).toThrow(
      'unknown scenario(s) nope; known: embedded-throughput, bullmq',
    );
    expect(() => parseCliOptions(['--fast'], IDS)).toThrow();
  });
});
