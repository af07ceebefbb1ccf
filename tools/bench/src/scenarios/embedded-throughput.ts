import type { ContextForgeClient } from '@contextforge/client';
import type { Scenario } from '../scenario';
import { startEmbeddedProcess } from '../support/embedded-process';
import { runGatewayWorkload, type CompletionProbe } from '../support/gateway-workload';
import { throughputFigures } from '../support/throughput-figures';
import { workloadSizes } from '../support/workload-sizes';
import { sameSlotsAsBullmq } from './bullmq';

/** embedded.agents' default. */
const EMBEDDED_AGENTS = 4;

const PENDING_STATUSES = ['queued', 'dispatched', 'running', 'failed'] as const;

/**
 * The no-op workload against `npm start`'s embedded mode (one process: PGlite, memory bus, four
 * local agents with BullMQ's 50 slots in all), through the gateway's public API like any client.
 */
export const embeddedThroughput: Scenario = {
  id: 'embedded-throughput',
  title: 'Embedded: no-op throughput and latency',
  run: async (ctx) => {
    const sizes = workloadSizes(ctx.smoke);
    ctx.log('  starting the embedded process');
    const embedded = await startEmbeddedProcess({
      rootDir: ctx.rootDir,
      env: sameSlotsAsBullmq(EMBEDDED_AGENTS),
    });
    let passed = false;
    try {
      const result = await runGatewayWorkload(
        embedded.client,
        embeddedProbe(embedded.client),
        sizes,
        ctx.log,
      );
      passed = true;
      return throughputFigures('embedded', result, sizes, { p50: 1, p99: 5 });
    } finally {
      await embedded.stop({ keepFiles: !passed });
      if (!passed) ctx.log(`  embedded log kept in ${embedded.workDir}/logs`);
    }
  },
};

/**
 * PGlite runs on the embedded process's one thread, so the probe asks little of it: one GET
 * /tasks?status=<pending>&limit=1 per pending status (an index walk that stops at the first
 * match while work remains), every 200 ms; GET /metrics/tasks would aggregate every task each
 * time. The stored figures are read once at the end by paging through GET /tasks.
 */
function embeddedProbe(client: ContextForgeClient): CompletionProbe {
  return {
    pollIntervalMs: 200,
    settled: async () => {
      for (const status of PENDING_STATUSES) {
        if ((await client.listTasks({ status, limit: 1 })).tasks.length > 0) return false;
      }
      return true;
    },
    stored: async (taskIds) => {
      const wanted = new Set(taskIds);
      let succeeded = 0;
      let lastFinishedAtMs = 0;
      for await (const task of client.iterateTasks({ limit: 500 })) {
        if (!wanted.has(task.id) || task.status !== 'succeeded' || task.finishedAt === undefined) continue;
        succeeded += 1;
        lastFinishedAtMs = Math.max(lastFinishedAtMs, Date.parse(task.finishedAt));
      }
      return { succeeded, lastFinishedAtMs };
    },
  };
}
