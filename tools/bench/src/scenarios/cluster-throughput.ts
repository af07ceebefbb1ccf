import type { Pool } from 'pg';
import type { Scenario } from '../scenario';
import { startBenchCluster } from '../support/cluster';
import { clusterCpuTargets, cpuFigures } from '../support/cpu-figures';
import { runGatewayWorkload, type CompletionProbe } from '../support/gateway-workload';
import { CpuWindow, type CpuUsage } from '../support/process-cpu';
import { throughputFigures } from '../support/throughput-figures';
import { workloadSizes } from '../support/workload-sizes';
import { sameSlotsAsBullmq } from './bullmq';

/** As `npm run cluster` starts them (startBenchCluster's default). */
const CLUSTER_AGENTS = 3;

/**
 * The no-op workload against the cluster mode: gateway, registry, `schedulerReplicas` schedulers,
 * result-store and three agents (with BullMQ's 50 slots in all) as separate processes on Kafka (mock), the Consul double and
 * PostgreSQL. Every task must be stored as succeeded, with its result, in PostgreSQL. Beside the
 * throughput and latency, where the CPU goes during the throughput run: CPU-ms per task of every
 * process (from /proc), so a run shows which one is the bottleneck.
 *
 * The 1-replica scenario's figures are `cluster.*`; the N-replica variant's `cluster-N-schedulers.*`
 * (ratio.cluster-2-schedulers-vs-1 compares them).
 */
export function clusterThroughputScenario(schedulerReplicas: number): Scenario {
  const replicas = schedulerReplicas === 1 ? '' : `-${schedulerReplicas}-schedulers`;
  const prefix = `cluster${replicas}`;
  return {
    id: `cluster-throughput${replicas}`,
    title:
      schedulerReplicas === 1
        ? 'Cluster: no-op throughput and latency'
        : `Cluster, ${schedulerReplicas} scheduler replicas: no-op throughput and latency`,
    run: async (ctx) => {
      // A fresh cluster applies task events slowly for its first few thousand tasks (the
      // result-store's consumer lags; see docs/benchmarks.md), so the warm-up is larger than the
      // embedded one: the figure is the steady state, and the cold start is reported beside it.
      const base = workloadSizes(ctx.smoke);
      const sizes = ctx.smoke ? base : { ...base, warmupTasks: 5_000 };
      ctx.log(
        `  starting the cluster (gateway, registry, ${schedulerReplicas} scheduler${schedulerReplicas === 1 ? '' : 's'}, result-store + 3 agents as processes)`,
      );
      const cluster = await startBenchCluster({
        rootDir: ctx.rootDir,
        schedulers: schedulerReplicas,
        env: sameSlotsAsBullmq(CLUSTER_AGENTS),
      });
      let passed = false;
      try {
        const targets = clusterCpuTargets(cluster.processes.pids(), cluster.kafkaMockPid);
        let window: CpuWindow | undefined;
        let usage: CpuUsage[] | undefined;
        const result = await runGatewayWorkload(cluster.client, databaseProbe(cluster.db), sizes, ctx.log, {
          began: () => (window = CpuWindow.open(targets)),
          settled: () => (usage = window?.close()),
        });
        if (!usage) throw new Error('the throughput run ended without its CPU readings');
        passed = true;
        return [
          ...throughputFigures(prefix, result, sizes),
          {
            id: `${prefix}.durable`,
            label: 'tasks stored in PostgreSQL as succeeded with their result (checked after each run)',
            value: 100,
            unit: '%',
            target: { op: '>=', value: 100 },
          },
          ...cpuFigures(prefix, usage, sizes.tasks, `${sizes.tasks} echo tasks, first submit -> all settled`),
        ];
      } finally {
        await cluster.stop({ keepFiles: !passed });
        if (!passed) ctx.log(`  cluster logs kept in ${cluster.processes.logDir}`);
      }
    },
  };
}

export const clusterThroughput = clusterThroughputScenario(1);
/** The same with two scheduler replicas, each its own process, beside the 1-replica run. */
export const clusterThroughputTwoSchedulers = clusterThroughputScenario(2);

/**
 * Reads the result-store's PostgreSQL directly, beside the services: `settled` uses the
 * (status, priority, created_at) index, so it costs next to nothing even every 100 ms; `stored`
 * counts only tasks whose result row exists (durably stored, not just marked succeeded).
 */
function databaseProbe(db: Pool): CompletionProbe {
  return {
    pollIntervalMs: 100,
    settled: async () => {
      const { rows } = await db.query<{ pending: boolean }>(
        `SELECT EXISTS (SELECT 1 FROM tasks WHERE status IN ('queued', 'dispatched', 'running', 'failed')) AS pending`,
      );
      return rows[0]?.pending === false;
    },
    stored: async (taskIds) => {
      const { rows } = await db.query<{ succeeded: number; last_ms: number | null }>(
        `SELECT count(*)::int AS succeeded, (extract(epoch FROM max(t.finished_at)) * 1000)::float8 AS last_ms
           FROM tasks t JOIN task_results r ON r.task_id = t.id
          WHERE t.id = ANY($1::text[]) AND t.status = 'succeeded'`,
        [taskIds],
      );
      return { succeeded: rows[0]?.succeeded ?? 0, lastFinishedAtMs: rows[0]?.last_ms ?? 0 };
    },
  };
}
