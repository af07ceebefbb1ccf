import type { Pool } from 'pg';
import type { Scenario } from '../scenario';
import { startBenchCluster } from '../support/cluster';
import { runGatewayWorkload, type CompletionProbe } from '../support/gateway-workload';
import { throughputFigures } from '../support/throughput-figures';
import { workloadSizes } from '../support/workload-sizes';

/**
 * The no-op workload against the cluster mode: gateway, registry, scheduler, result-store and
 * three agents as separate processes on Kafka (mock), the Consul double and PostgreSQL. Every
 * task must be stored as succeeded, with its result, in PostgreSQL.
 */
export const clusterThroughput: Scenario = {
  id: 'cluster-throughput',
  title: 'Cluster: no-op throughput and latency',
  run: async (ctx) => {
    // A fresh cluster applies task events slowly for its first few thousand tasks (the
    // result-store's consumer lags; see docs/benchmarks.md), so the warm-up is larger than the
    // embedded one: the figure is the steady state, and the cold start is reported beside it.
    const base = workloadSizes(ctx.smoke);
    const sizes = ctx.smoke ? base : { ...base, warmupTasks: 5_000 };
    ctx.log('  starting the cluster (5 services + 3 agents as processes)');
    const cluster = await startBenchCluster({ rootDir: ctx.rootDir });
    let passed = false;
    try {
      const result = await runGatewayWorkload(cluster.client, databaseProbe(cluster.db), sizes, ctx.log);
      passed = true;
      return [
        ...throughputFigures('cluster', result, sizes),
        {
          id: 'cluster.durable',
          label: 'tasks stored in PostgreSQL as succeeded with their result (checked after each run)',
          value: 100,
          unit: '%',
          target: { op: '>=', value: 100 },
        },
      ];
    } finally {
      await cluster.stop({ keepFiles: !passed });
      if (!passed) ctx.log(`  cluster logs kept in ${cluster.processes.logDir}`);
    }
  },
};

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
