import { LeastConnectionsStrategy, RoundRobinStrategy, WeightedStrategy, type Candidate } from './strategies';

const agents = (weights: number[]): Candidate[] =>
  weights.map((weight, index) => ({ id: `agent-${index}`, weight, inFlight: 0 }));

function shares(
  strategy: { pick(c: readonly Candidate[]): Candidate | undefined },
  candidates: Candidate[],
  n: number,
) {
  const counts = new Map<string, number>();
  for (let index = 0; index < n; index += 1) {
    const picked = strategy.pick(candidates);
    if (picked) counts.set(picked.id, (counts.get(picked.id) ?? 0) + 1);
  }
  return counts;
}

describe('load-balancing strategies', () => {
  it('round-robin cycles evenly in id order', () => {
    const strategy = new RoundRobinStrategy();
    const candidates = agents([1, 1, 1]);
    expect([1, 2, 3, 4].map(() => strategy.pick(candidates)?.id)).toEqual([
      'agent-0',
      'agent-1',
      'agent-2',
      'agent-0',
    ]);
    const counts = shares(strategy, candidates, 999);
    expect([...counts.values()]).toEqual([333, 333, 333]);
  });

  it('round-robin continues fairly when the candidate set changes', () => {
    const strategy = new RoundRobinStrategy();
    expect(strategy.pick(agents([1, 1, 1]))?.id).toBe('agent-0');
    expect(strategy.pick(agents([1, 1, 1]).filter((a) => a.id !== 'agent-1'))?.id).toBe('agent-2');
    expect(strategy.pick([])).toBeUndefined();
  });

  it('weighted 3:2 gives 60% / 40% over 1,000 picks (within 5 points)', () => {
    const counts = shares(new WeightedStrategy(), agents([3, 2]), 1000);
    const first = (counts.get('agent-0') ?? 0) / 1000;
    expect(Math.abs(first - 0.6)).toBeLessThanOrEqual(0.05);
    expect(counts.get('agent-0')).toBe(600);
  });

  it('weighted interleaves rather than bursting', () => {
    const strategy = new WeightedStrategy();
    const picks = Array.from({ length: 5 }, () => strategy.pick(agents([3, 2]))?.id);
    expect(picks).toEqual(['agent-0', 'agent-1', 'agent-0', 'agent-1', 'agent-0']);
  });

  it('least-connections picks the agent with the fewest tasks in flight', () => {
    const strategy = new LeastConnectionsStrategy();
    const candidates: Candidate[] = [
      { id: 'a', weight: 1, inFlight: 4 },
      { id: 'b', weight: 1, inFlight: 1 },
      { id: 'c', weight: 1, inFlight: 2 },
    ];
    expect(strategy.pick(candidates)?.id).toBe('b');
    const tied = candidates.map((candidate) => ({ ...candidate, inFlight: 0 }));
    // Ties rotate, continuing after the last agent picked (b).
    expect([strategy.pick(tied)?.id, strategy.pick(tied)?.id, strategy.pick(tied)?.id]).toEqual([
      'c',
      'a',
      'b',
    ]);
  });
});
