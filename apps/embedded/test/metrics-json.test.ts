import type { AgentMetrics, PerformanceMetrics, TaskMetrics, TaskView } from '@contextforge/contracts';
import { waitFor } from '@contextforge/testing';
import type { EmbeddedSystem } from '../src/embedded-system';
import { matches, parseExposition, type Series } from './support/prometheus-text';
import { gatewayFetch, startTestSystem, taskChange } from './support/start-test-system';

/** The sum over the series of `name` whose labels include `labels`. */
function sum(series: readonly Series[], name: string, labels: Record<string, string> = {}): number {
  return series
    .filter((entry) => matches(entry, name, labels))
    .reduce((total, entry) => total + entry.value, 0);
}

/**
 * The bucket of a histogram where the `rank`-th observation (1-based) lies: (lower, upper] in
 * seconds. An exact value with that rank must be in it.
 */
function bucketOfRank(series: readonly Series[], name: string, labels: Record<string, string>, rank: number) {
  const buckets = series
    .filter((entry) => matches(entry, `${name}_bucket`, labels))
    .map((entry) => ({ le: Number(entry.labels['le']), count: entry.value }))
    .sort((a, b) => a.le - b.le);
  let lower = 0;
  for (const bucket of buckets) {
    if (bucket.count >= rank) return { lower, upper: bucket.le };
    lower = bucket.le;
  }
  throw new Error(`${name}: fewer than ${rank} observations`);
}

/**
 * The JSON metrics (/metrics/agents, /metrics/tasks, /metrics/performance, the ticks of
 * /metrics/stream) and the Prometheus exposition (/metrics) after one known sequence of events:
 * both count the same tasks and agents, and the exact percentiles of the JSON fall in the
 * histogram buckets that hold the same observations. docs/operations.md ("JSON metrics") says
 * which source each field has.
 */
describe('embedded system: the JSON metrics agree with /metrics', () => {
  let system: EmbeddedSystem;

  beforeAll(async () => {
    system = await startTestSystem({ CONTEXTFORGE__EMBEDDED__AGENTS: '2' });
  });

  afterAll(async () => {
    await system?.stop();
  });

  const call = (path: string, init?: RequestInit) => gatewayFetch(system)(path, init);
  const json = async <T>(path: string): Promise<T> => {
    const response = await call(path);
    expect(response.status).toBe(200);
    return (await response.json()) as T;
  };
  const submit = async (body: unknown): Promise<string> => {
    const response = await call('/tasks/submit', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(response.status).toBe(202);
    return ((await response.json()) as { taskId: string }).taskId;
  };
  const reaches = (predicate: (task: TaskView) => boolean) => taskChange(system, predicate);

  it('counts, in-flight, queue depth, agents and latency percentiles match', async () => {
    // Three successes, one dead-letter (times out, no retry), one running, one nobody can run.
    const echoes = new Set<string>();
    const succeeded = reaches((task) => {
      if (task.type === 'echo' && task.status === 'succeeded') echoes.add(task.id);
      return echoes.size === 3;
    });
    for (const n of [0, 1, 2]) await submit({ type: 'echo', input: { n } });
    await succeeded;
    const dead = reaches((task) => task.type === 'sleep' && task.status === 'dead_lettered');
    await submit({ type: 'sleep', input: { ms: 60_000 }, timeoutMs: 50, maxAttempts: 1 });
    await dead;
    const running = reaches((task) => task.type === 'sleep' && task.status === 'running');
    const runningId = await submit({
      type: 'sleep',
      input: { ms: 600_000 },
      timeoutMs: 600_000,
      priority: 2,
    });
    const runningTask = await running;
    const parked = reaches((task) => task.type === 'nobody-runs-this' && task.statusReason !== undefined);
    await submit({ type: 'nobody-runs-this', priority: 7 });
    await parked;
    // The scheduler hears of the running attempt on the bus: settled once it counts it too.
    await waitFor(
      async () => (await system.repository.queueFigures()).inFlightByAgent[runningTask.agentId ?? ''] === 1,
      {
        timeoutMs: 5_000,
        label: 'the scheduler to count the running attempt',
      },
    );

    const tasks = await json<TaskMetrics>('/metrics/tasks');
    const performance = await json<PerformanceMetrics>('/metrics/performance');
    const agents = await json<AgentMetrics>('/metrics/agents');
    const prom = parseExposition(await (await fetch(`${system.url}/metrics`)).text());

    // Task counts: the table's statuses and the counters of committed events.
    expect(tasks.byStatus.succeeded).toBe(3);
    expect(sum(prom, 'contextforge_tasks_finished_total', { status: 'succeeded' })).toBe(
      tasks.byStatus.succeeded,
    );
    expect(sum(prom, 'contextforge_tasks_finished_total', { status: 'dead_lettered' })).toBe(
      tasks.byStatus.dead_lettered,
    );
    expect(tasks.window.finished).toEqual({
      succeeded: sum(prom, 'contextforge_tasks_finished_total', { status: 'succeeded' }),
      cancelled: sum(prom, 'contextforge_tasks_finished_total', { status: 'cancelled' }),
      dead_lettered: sum(prom, 'contextforge_tasks_finished_total', { status: 'dead_lettered' }),
    });
    const total = Object.values(tasks.byStatus).reduce((all, count) => all + count, 0);
    expect(sum(prom, 'contextforge_tasks_submitted_total')).toBe(total);
    expect(total).toBe(6);

    // Queue depth by priority: queued rows and the scheduler's queue.
    expect(tasks.queuedByPriority).toEqual([0, 0, 0, 0, 0, 0, 0, 1, 0, 0]);
    for (const [priority, depth] of tasks.queuedByPriority.entries()) {
      expect(sum(prom, 'contextforge_queue_depth', { priority: String(priority) })).toBe(depth);
    }

    // In flight: running rows per agent and the scheduler's dispatched attempts.
    expect(tasks.inFlightByAgent).toEqual({ [runningTask.agentId ?? '']: 1 });
    expect(agents.inFlight).toBe(1);
    for (const agent of agents.agents) {
      expect(sum(prom, 'contextforge_agent_in_flight', { agent: agent.id })).toBe(agent.inFlight);
      expect(sum(prom, 'contextforge_agent_circuit_state', { agent: agent.id, state: agent.circuit })).toBe(
        1,
      );
    }
    for (const status of ['healthy', 'draining', 'unhealthy'] as const) {
      expect(sum(prom, 'contextforge_agents', { status })).toBe(agents.byStatus[status]);
    }
    expect(agents.byStatus.healthy).toBe(2);

    // Latency and run time: the same observations, exact percentiles inside the histogram's buckets.
    expect(tasks.latencyMs.count).toBe(
      sum(prom, 'contextforge_task_duration_seconds_count', { type: 'echo' }),
    );
    expect(tasks.runTimeMs.count).toBe(sum(prom, 'contextforge_task_run_seconds_count'));
    const inBucket = (name: string, labels: Record<string, string>, rank: number, ms: number | null) => {
      const { lower, upper } = bucketOfRank(prom, name, labels, rank);
      expect(ms).not.toBeNull();
      expect((ms ?? Number.NaN) / 1000).toBeGreaterThanOrEqual(lower);
      expect((ms ?? Number.NaN) / 1000).toBeLessThanOrEqual(upper);
    };
    // Three values: p50 is the 2nd, max the 3rd.
    inBucket('contextforge_task_duration_seconds', { type: 'echo' }, 2, tasks.latencyMs.p50);
    inBucket('contextforge_task_duration_seconds', { type: 'echo' }, 3, tasks.latencyMs.max);
    inBucket('contextforge_task_run_seconds', { type: 'echo' }, 2, tasks.runTimeMs.p50);
    inBucket('contextforge_task_run_seconds', { type: 'echo' }, 3, tasks.runTimeMs.max);

    // /metrics/performance is a part of /metrics/tasks, read from the same figures.
    expect(performance).toEqual({
      at: expect.any(String),
      window: tasks.window,
      latencyMs: tasks.latencyMs,
      runTimeMs: tasks.runTimeMs,
    });

    expect((await call(`/tasks/${runningId}`, { method: 'DELETE' })).status).toBe(200);
  });
});
