import {
  ProcessCluster,
  contextForgeCluster,
  findFreePorts,
  startClusterBackends,
  uniqueName,
  type ScratchDatabase,
} from '@contextforge/testing';
import { issueToken } from '@contextforge/auth';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { Pool } from 'pg';

export interface ClusterSystemOptions {
  agents: number;
  /** Scheduler replicas (default 1): `scheduler-1`, `scheduler-2`, ... on ports of their own. */
  schedulers?: number;
  /** Extra variables for every app process. */
  env?: Record<string, string>;
  /** The PostgreSQL server to make the scratch database on (default: the local one on 5432). */
  postgresUrl?: string;
}

/** A running cluster-mode system for one test file, in namespaces of its own. */
export interface ClusterSystem {
  /** The gateway's URL and a client token for it. */
  gateway: GatewayAccess;
  /** Base URL of every app process's HTTP port (where /metrics is), by process name. */
  processUrls: Record<string, string>;
  /** Base URL of each scheduler replica's HTTP port, by process name. */
  schedulerUrls: Record<string, string>;
  /** Agent process names (also their agent ids): agent-1, agent-2, ... */
  agentNames: string[];
  cluster: ProcessCluster;
  /** The result-store's database (a fresh one, dropped by stop). */
  database: ScratchDatabase;
  /** Queries against that database, for checks the HTTP API does not expose. */
  db: Pool;
  topicPrefix: string;
  /** The Kafka bootstrap brokers the apps use. */
  kafkaBrokers: string[];
  /** Stops everything it started; removes the logs only when asked (keep them to debug a failure). */
  stop(options?: { removeLogs?: boolean }): Promise<void>;
}

/** Where the gateway is and how to authenticate to it. */
export interface GatewayAccess {
  url: string;
  /** A client JWT (subject `system-tests`). */
  token: string;
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
    const {
      kafkaBrokers: brokers,
      kafkaMock,
      consul,
      database,
      db,
    } = await startClusterBackends({
      databasePrefix: 'cf_sys',
      kafkaBrokers: process.env['KAFKA_BROKERS']?.split(','),
      postgresUrl: options.postgresUrl,
      cleanup,
    });

    const schedulerCount = options.schedulers ?? 1;
    const [gateway = 0, registry = 0, resultStore = 0, ...rest] = await findFreePorts(
      3 + schedulerCount + options.agents,
    );
    const scheduler = rest.slice(0, schedulerCount);
    const agents = rest.slice(schedulerCount);
    const topicPrefix = uniqueName('sys');
    const jwtSecret = randomBytes(32).toString('base64url');
    const layout = contextForgeCluster({
      rootDir: ROOT,
      kafkaBrokers: brokers,
      consulAddress: consul.url,
      databaseUrl: database.url,
      ports: { gateway, registry, scheduler, resultStore, agents },
      topicPrefix,
      jwtSecret,
      ...(kafkaMock ? { fetchMaxWait: '5ms', idempotentProducer: false } : {}),
      env: {
        LOG_LEVEL: 'warn',
        // The tests submit thousands of tasks from one address; the limits have tests of their own.
        CONTEXTFORGE__NETWORK__RATE_LIMITING__PER_IP: '1000000/min',
        CONTEXTFORGE__NETWORK__RATE_LIMITING__PER_CLIENT: '1000000/min',
        CONTEXTFORGE__NETWORK__LIMITS__MAX_CONNECTIONS_PER_IP: '10000',
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

    const token = await issueToken({
      secretKey: jwtSecret,
      issuer: 'contextforge',
      audience: 'contextforge-api',
      subject: 'system-tests',
      roles: ['client'],
      expiresInMs: 6 * 60 * 60 * 1000,
    });
    return {
      gateway: { url: layout.gatewayUrl, token },
      processUrls: {
        gateway: layout.gatewayUrl,
        registry: layout.registryUrl,
        'result-store': layout.resultStoreUrl,
        ...layout.schedulerUrls,
        ...Object.fromEntries(layout.agentUrls.map((url, index) => [`agent-${index + 1}`, url])),
      },
      schedulerUrls: layout.schedulerUrls,
      agentNames: agents.map((_, index) => `agent-${index + 1}`),
      cluster,
      database,
      db,
      topicPrefix,
      kafkaBrokers: brokers,
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
