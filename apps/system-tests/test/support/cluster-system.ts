import {
  ConsulApiDouble,
  LOCAL_POSTGRES_URL,
  ProcessCluster,
  contextForgeCluster,
  createScratchDatabase,
  findFreePorts,
  startKafkaMock,
  uniqueName,
  type ScratchDatabase,
} from '@contextforge/testing';
import { rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { Pool } from 'pg';

export interface ClusterSystemOptions {
  agents: number;
  /** Extra variables for every app process. */
  env?: Record<string, string>;
}

/** A running cluster-mode system for one test file, in namespaces of its own. */
export interface ClusterSystem {
  gatewayUrl: string;
  cluster: ProcessCluster;
  /** The result-store's database (a fresh one, dropped by stop). */
  database: ScratchDatabase;
  /** Queries against that database, for checks the HTTP API does not expose. */
  db: Pool;
  topicPrefix: string;
  /** Stops everything it started; removes the logs only when asked (keep them to debug a failure). */
  stop(options?: { removeLogs?: boolean }): Promise<void>;
}

const ROOT = resolve(__dirname, '../../../..');

/**
 * Starts the five apps plus `agents` agents as separate OS processes from dist/apps (built by
 * the globalSetup), on: the Kafka cluster named by KAFKA_BROKERS or else a fresh Kafka mock,
 * a Consul API double in this process, and a new database on the local Postgres. A unique topic
 * prefix keeps a shared Kafka apart. Settings are test-short: 1 s agent heartbeats, 5 s TTL.
 */
export async function startClusterSystem(options: ClusterSystemOptions): Promise<ClusterSystem> {
  const cleanup: Array<() => Promise<void>> = [];
  const runCleanup = async () => {
    for (const step of cleanup.splice(0).reverse()) await step().catch(() => undefined);
  };
  try {
    const sharedBrokers = process.env['KAFKA_BROKERS'];
    let brokers: string[];
    if (sharedBrokers) {
      brokers = sharedBrokers.split(',');
    } else {
      const kafka = await startKafkaMock({ brokers: 3 });
      cleanup.push(() => kafka.stop());
      brokers = kafka.brokers;
    }
    const consul = await ConsulApiDouble.start();
    cleanup.push(() => consul.stop());
    const database = await createScratchDatabase(LOCAL_POSTGRES_URL, 'cf_sys');
    cleanup.push(() => database.drop());
    const db = new Pool({ connectionString: database.url, max: 2 });
    cleanup.push(() => db.end());

    const [gateway = 0, registry = 0, scheduler = 0, resultStore = 0, ...agents] = await findFreePorts(
      4 + options.agents,
    );
    const topicPrefix = uniqueName('sys');
    const layout = contextForgeCluster({
      rootDir: ROOT,
      kafkaBrokers: brokers,
      consulAddress: consul.url,
      databaseUrl: database.url,
      ports: { gateway, registry, scheduler, resultStore, agents },
      topicPrefix,
      env: {
        LOG_LEVEL: 'warn',
        CONTEXTFORGE__COORDINATOR__HOST: '127.0.0.1',
        CONTEXTFORGE__AGENT__REGISTRY__HEARTBEAT_INTERVAL: '1s',
        CONTEXTFORGE__AGENT__REGISTRY__TTL: '5s',
        CONTEXTFORGE__AGENT__DRAIN_TIMEOUT: '2s',
        ...options.env,
      },
    });
    const cluster = new ProcessCluster({ readyTimeoutMs: 90_000, stopGraceMs: 10_000 });
    cleanup.push(() => cluster.stopAll());
    for (const stage of layout.stages) await cluster.start(...stage);

    return {
      gatewayUrl: layout.gatewayUrl,
      cluster,
      database,
      db,
      topicPrefix,
      stop: async ({ removeLogs = false } = {}) => {
        await runCleanup();
        if (removeLogs) rmSync(cluster.logDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await runCleanup();
    throw error;
  }
}
