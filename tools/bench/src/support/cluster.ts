import { issueToken } from '@contextforge/auth';
import { ContextForgeClient } from '@contextforge/client';
import {
  ProcessCluster,
  contextForgeCluster,
  findFreePorts,
  startClusterBackends,
  uniqueName,
} from '@contextforge/testing';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'pg';
import { BENCH_LIMITS_ENV, cleanProductEnv } from './bench-env';

export interface BenchClusterOptions {
  /** Repository root (the bundles are `<rootDir>/dist/apps/<app>/main.js`). */
  rootDir: string;
  /** Agent processes (default 3, as `npm run cluster` starts). */
  agents?: number;
  /**
   * How many of the `agents` start with the cluster (default all); the others wait for
   * `startAgents` (a fleet that grows between measurements).
   */
  initialAgents?: number;
  /** Scheduler replicas (default 1): `scheduler-1`, `scheduler-2`, ..., each its own process. */
  schedulers?: number;
  /**
   * Variables for every app process, applied last: e.g. CONTEXTFORGE__AGENT__TASK_TYPES,
   * CONTEXTFORGE__AGENT__REGISTRY__HEARTBEAT_INTERVAL or CONTEXTFORGE__AGENT__REGISTRY__TTL.
   */
  env?: Record<string, string>;
  /** Kafka bootstrap brokers to use instead of a fresh Kafka mock (default: KAFKA_BROKERS if set). */
  kafkaBrokers?: readonly string[];
  /** Longest wait for one process's /readyz (default 180 s). */
  readyTimeoutMs?: number;
}

export interface BenchCluster {
  gatewayUrl: string;
  /** A client with a client JWT for the gateway. */
  client: ContextForgeClient;
  /** The running processes: `registry`, `result-store`, `scheduler-1`..., `gateway`, `agent-1`... */
  processes: ProcessCluster;
  /** The Kafka mock's kcat process, when the cluster runs on the mock. */
  kafkaMockPid?: number;
  agentNames: string[];
  /** Starts the next `count` agents that have not started yet, in order; resolves when they are ready. */
  startAgents(count: number): Promise<void>;
  /** The result-store's database (a fresh one on the local PostgreSQL, dropped by stop). */
  databaseUrl: string;
  /** Two connections to that database, for reads the HTTP API does not offer. */
  db: Pool;
  kafkaBrokers: string[];
  topicPrefix: string;
  /** Stops everything it started; keeps the process logs if asked (to read after a failure). */
  stop(options?: { keepFiles?: boolean }): Promise<void>;
}

/**
 * The cluster mode as separate OS processes, as `npm run cluster` starts it: registry and
 * result-store, then the scheduler replicas and the gateway, then the agents, connected by Kafka (the
 * mock, or the brokers named), the Consul API double and a scratch database on the local
 * PostgreSQL; free ports and a unique topic prefix, so it can run beside anything else. Product
 * settings stay at their defaults except the rate limits and the log level.
 */
export async function startBenchCluster(options: BenchClusterOptions): Promise<BenchCluster> {
  const cleanup: Array<() => Promise<void>> = [];
  const workDir = mkdtempSync(join(tmpdir(), 'contextforge-bench-cluster-'));
  const stop = async ({ keepFiles = false } = {}) => {
    for (const step of cleanup.splice(0).reverse()) await step().catch(() => undefined);
    if (!keepFiles) rmSync(workDir, { recursive: true, force: true });
  };
  try {
    const { kafkaBrokers, kafkaMock, kafkaMockPid, consul, database, db } = await startClusterBackends({
      databasePrefix: 'cf_bench',
      kafkaBrokers: options.kafkaBrokers ?? process.env['KAFKA_BROKERS']?.split(',').filter(Boolean),
      cleanup,
    });

    const agentCount = options.agents ?? 3;
    const schedulerCount = options.schedulers ?? 1;
    const [gateway = 0, registry = 0, resultStore = 0, ...rest] = await findFreePorts(
      3 + schedulerCount + agentCount,
    );
    const topicPrefix = uniqueName('bench');
    const jwtSecret = randomBytes(32).toString('base64url');
    const layout = contextForgeCluster({
      rootDir: options.rootDir,
      kafkaBrokers,
      consulAddress: consul.url,
      databaseUrl: database.url,
      ports: {
        gateway,
        registry,
        scheduler: rest.slice(0, schedulerCount),
        resultStore,
        agents: rest.slice(schedulerCount),
      },
      topicPrefix,
      jwtSecret,
      // The mock holds an empty fetch for the whole wait (a real broker answers at once).
      ...(kafkaMock ? { fetchMaxWait: '5ms', idempotentProducer: false } : {}),
      env: {
        LOG_LEVEL: 'warn',
        CONTEXTFORGE__COORDINATOR__HOST: '127.0.0.1',
        CONTEXTFORGE__AGENT__DRAIN_TIMEOUT: '2s',
        ...BENCH_LIMITS_ENV,
        ...options.env,
      },
    });
    const processes = new ProcessCluster({
      logDir: join(workDir, 'logs'),
      baseEnv: cleanProductEnv(),
      readyTimeoutMs: options.readyTimeoutMs ?? 180_000,
    });
    cleanup.push(() => processes.stopAll());
    const [infrastructure = [], services = [], agentSpecs = []] = layout.stages;
    await processes.start(...infrastructure);
    await processes.start(...services);
    let agentsStarted = 0;
    const startAgents = async (count: number) => {
      const next = agentSpecs.slice(agentsStarted, agentsStarted + count);
      if (next.length < count) throw new Error(`only ${agentCount} agents were configured`);
      agentsStarted += count;
      await processes.start(...next);
    };
    await startAgents(Math.min(agentCount, options.initialAgents ?? agentCount));

    const token = await issueToken({
      secretKey: jwtSecret,
      issuer: 'contextforge',
      audience: 'contextforge-api',
      subject: 'bench',
      roles: ['client'],
      expiresInMs: 6 * 60 * 60 * 1000,
    });
    return {
      gatewayUrl: layout.gatewayUrl,
      client: new ContextForgeClient({ baseUrl: layout.gatewayUrl, token }),
      processes,
      ...(kafkaMockPid === undefined ? {} : { kafkaMockPid }),
      agentNames: Array.from({ length: agentCount }, (_, index) => `agent-${index + 1}`),
      startAgents,
      databaseUrl: database.url,
      db,
      kafkaBrokers,
      topicPrefix,
      stop,
    };
  } catch (error) {
    await stop({ keepFiles: true });
    throw new Error(
      `the bench cluster did not start (logs in ${workDir}): ${error instanceof Error ? error.message : error}`,
      { cause: error },
    );
  }
}
