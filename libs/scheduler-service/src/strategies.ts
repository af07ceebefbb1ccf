/**
 * Load-balancing strategies: each picks one agent among the candidates (already filtered to
 * healthy, capable agents with a free slot).
 */
export interface Candidate {
  id: string;
  weight: number;
  inFlight: number;
}

export type StrategyName = 'round_robin' | 'least_connections' | 'weighted';

export interface Strategy {
  pick(candidates: readonly Candidate[]): Candidate | undefined;
}

/** Cycles through agents in id order, continuing after the last agent picked. */
export class RoundRobinStrategy implements Strategy {
  private last = '';

  pick(candidates: readonly Candidate[]): Candidate | undefined {
    if (candidates.length === 0) return undefined;
    const sorted = [...candidates].sort((a, b) => (a.id < b.id ? -1 : 1));
    const next = sorted.find((candidate) => candidate.id > this.last) ?? sorted[0];
    if (next) this.last = next.id;
    return next;
  }
}

/** Fewest tasks in flight; ties go round-robin so equal agents share work. */
export class LeastConnectionsStrategy implements Strategy {
  private readonly tieBreak = new RoundRobinStrategy();

  pick(candidates: readonly Candidate[]): Candidate | undefined {
    const fewest = Math.min(...candidates.map((candidate) => candidate.inFlight));
    return this.tieBreak.pick(candidates.filter((candidate) => candidate.inFlight === fewest));
  }
}

/**
 * Smooth weighted round-robin (as in nginx): over any window, each agent gets its weight's share
 * of picks, evenly interleaved rather than in bursts.
 */
export class WeightedStrategy implements Strategy {
  private readonly current = new Map<string, number>();

  pick(candidates: readonly Candidate[]): Candidate | undefined {
    let best: Candidate | undefined;
    let bestScore = -Infinity;
    let total = 0;
    for (const candidate of candidates) {
      const score = (this.current.get(candidate.id) ?? 0) + candidate.weight;
      this.current.set(candidate.id, score);
      total += candidate.weight;
      if (score > bestScore) {
        best = candidate;
        bestScore = score;
      }
    }
    if (best) this.current.set(best.id, bestScore - total);
    return best;
  }
}

export function createStrategy(name: StrategyName): Strategy {
  switch (name) {
    case 'round_robin':
      return new RoundRobinStrategy();
    case 'least_connections':
      return new LeastConnectionsStrategy();
    case 'weighted':
      return new WeightedStrategy();
  }
}
