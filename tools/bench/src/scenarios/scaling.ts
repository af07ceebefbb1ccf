import type { BenchContext, Figure, Scenario } from '../scenario';
import { withAgentFleet, type AgentFleet } from '../support/agent-fleet';
import { lastSuccessAt, submitSleepTasks, waitForSucceeded } from '../support/fleet-waits';

const SLEEP_MS = 100;
/** Each agent's configured concurrency c: its fixed capacity, so efficiency compares like with like. */
const CONCURRENCY = 1;
/** Each step runs N * c * ROUNDS tasks: every agent works through ROUNDS waves. */
const ROUNDS = 10;
const SIZES = [1, 2, 5, 10, 20];
const SMOKE_SIZES = [1, 2];
const SMOKE_ROUNDS = 3;

/**
 * Scaling efficiency: `sleep` tasks (100 ms) on 1, 2, 5, 10 and 20 agents of concurrency c.
 * speedup(N) = throughput(N) / throughput(1), efficiency(N) = speedup(N) / N. One cluster per
 * run; agents are added between steps (their start-up is not measured) and every step waits
 * until the registry lists all of them healthy. A step's throughput is its tasks over the time
 * from the first submission to the last success.
 */
export const scaling: Scenario = {
  id: 'scaling',
  title: 'Scaling efficiency',
  async run(ctx: BenchContext): Promise<Figure[]> {
    const sizes = ctx.smoke ? SMOKE_SIZES : SIZES;
    const rounds = ctx.smoke ? SMOKE_ROUNDS : ROUNDS;
    const options = {
      rootDir: ctx.rootDir,
      agents: 1,
      maxAgents: Math.max(...sizes),
      env: {
        CONTEXTFORGE__AGENT__CONCURRENCY: String(CONCURRENCY),
        CONTEXTFORGE__AGENT__TASK_TYPES: 'sleep',
      },
    };
    const throughput = await withAgentFleet(options, ctx.log, async (fleet) => {
      // Unmeasured warm-up: connections, JIT, the first consumer fetches.
      await runBatch(fleet, 5 * CONCURRENCY, 'warm-up');
      const perSize = new Map<number, number>();
      for (const size of sizes) {
        const more = size - fleet.agentNames().length;
        if (more > 0) await fleet.addAgents(more);
        const tasks = size * CONCURRENCY * rounds;
        const tasksPerSecond = await runBatch(fleet, tasks, `${size} agents`);
        ctx.log(
          `scaling: ${size} agents (c=${CONCURRENCY}), ${tasks} tasks: ${tasksPerSecond.toFixed(1)} tasks/s`,
        );
        perSize.set(size, tasksPerSecond);
      }
      return perSize;
    });
    return figuresOf(throughput, rounds);
  },
};

/**
 * Submits `count` sleep tasks in one batch and waits for all; tasks per second from the
 * submission to the last success.
 */
async function runBatch(fleet: AgentFleet, count: number, label: string): Promise<number> {
  const startedAt = Date.now();
  const taskIds = await submitSleepTasks(fleet, count, SLEEP_MS);
  await waitForSucceeded(fleet, taskIds, { timeoutMs: 180_000, label: `${label}: ${count} sleep tasks` });
  const seconds = ((await lastSuccessAt(fleet, taskIds)) - startedAt) / 1000;
  return count / seconds;
}

function figuresOf(throughput: ReadonlyMap<number, number>, rounds: number): Figure[] {
  const base = throughput.get(1);
  if (base === undefined) throw new Error('scaling: no 1-agent baseline');
  const setup = `${SLEEP_MS} ms sleep tasks, c=${CONCURRENCY} per agent, N*c*${rounds} tasks`;
  const figures: Figure[] = [];
  for (const [size, tasksPerSecond] of throughput) {
    figures.push({
      id: `scaling.throughput.${size}`,
      label: `throughput with ${size} agent${size === 1 ? '' : 's'} (${setup})`,
      value: tasksPerSecond,
      unit: 'tasks/s',
    });
  }
  for (const [size, tasksPerSecond] of throughput) {
    if (size === 1) continue;
    const target = size === 10 ? 0.9 : size === 20 ? 0.8 : undefined;
    figures.push({
      id: `scaling.efficiency.${size}`,
      label: `efficiency at ${size} agents: throughput(${size}) / throughput(1) / ${size} (${setup})`,
      value: tasksPerSecond / base / size,
      unit: 'ratio',
      ...(target === undefined ? {} : { target: { op: '>=' as const, value: target } }),
    });
  }
  return figures;
}
