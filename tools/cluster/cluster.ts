// `npm run cluster`: every service as its own OS process, connected by Kafka, Consul and Postgres.
// Uses the real servers named by KAFKA_BROKERS, CONSUL_HTTP_ADDR and DATABASE_URL, or else starts
// the Kafka mock cluster (kcat) and the Consul API test double, and the local Postgres.
// Scheduler replicas: SCHEDULER_REPLICAS (default 2), each its own process, `scheduler-1`, `scheduler-2`, ...
// Ports: gateway PORT (8080, gRPC 9090), registry 8082, result-store 8084, agents 8101-8103; the scheduler
// replicas count up from 8083, skipping the ports above: 8083, 8085, 8086, ... (so up to 17 replicas fit
// below the agents).
// Ctrl-C stops everything this script started.
import {
  ConsulApiDouble,
  ProcessCluster,
  contextForgeCluster,
  ensureDatabase,
  startKafkaMock,
  type KafkaMock,
} from '@contextforge/testing';
import { issueToken } from '@contextforge/auth';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';

const AGENTS = 3;
const env = process.env;

function schedulerReplicas(): number {
  const text = env['SCHEDULER_REPLICAS'] ?? '2';
  const count = Number(text);
  if (!Number.isInteger(count) || count < 1 || count > 17) {
    throw new Error(`SCHEDULER_REPLICAS=${text}: expected a whole number from 1 to 17`);
  }
  return count;
}

async function main(): Promise<void> {
  const cleanup: Array<() => Promise<void>> = [];
  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    console.log('\nstopping the cluster ...');
    for (const step of cleanup.reverse()) await step().catch((error: unknown) => console.error(error));
    process.exit(code);
  };
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));

  try {
    const replicas = schedulerReplicas();
    let kafka: KafkaMock | undefined;
    if (!env['KAFKA_BROKERS']) {
      kafka = await startKafkaMock({ brokers: 3 });
      cleanup.push(() => (kafka as KafkaMock).stop());
    }
    let consul: ConsulApiDouble | undefined;
    if (!env['CONSUL_HTTP_ADDR']) {
      consul = await ConsulApiDouble.start({
        minDeregisterCriticalServiceAfterMs: 10_000,
        reapIntervalMs: 5_000,
      });
      cleanup.push(() => (consul as ConsulApiDouble).stop());
    }
    const databaseUrl = env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/contextforge';
    if (await ensureDatabase(databaseUrl)) console.log(`created database ${databaseUrl}`);

    const gatewayPort = Number(env['PORT'] ?? 8080);
    // The gateway refuses to start without a JWT key; a fresh secret per run unless one is given.
    const jwtSecret = env['JWT_SECRET'] ?? randomBytes(32).toString('base64url');
    const layout = contextForgeCluster({
      rootDir: join(__dirname, '..', '..'),
      kafkaBrokers: kafka?.brokers ?? (env['KAFKA_BROKERS'] as string).split(','),
      consulAddress: consul?.url ?? (env['CONSUL_HTTP_ADDR'] as string),
      databaseUrl,
      jwtSecret,
      ...(kafka ? { fetchMaxWait: '5ms', idempotentProducer: false } : {}),
      schedulerReplicas: replicas,
      ports: {
        gateway: gatewayPort,
        registry: 8082,
        scheduler: 8083, // the first replica's; see the header
        resultStore: 8084,
        grpc: 9090,
        agents: Array.from({ length: AGENTS }, (_, index) => 8101 + index),
      },
    });
    const cluster = new ProcessCluster();
    cleanup.push(() => cluster.stopAll());
    console.log(
      `kafka ${kafka ? `mock ${kafka.brokers.join(',')}` : env['KAFKA_BROKERS']}; consul ${consul?.url ?? env['CONSUL_HTTP_ADDR']}`,
    );
    console.log(`logs in ${cluster.logDir}`);
    for (const stage of layout.stages) {
      await cluster.start(...stage);
      console.log(`ready: ${stage.map((spec) => spec.name).join(', ')}`);
    }
    for (const name of cluster.names()) {
      void cluster.exited(name).then((exit) => {
        if (!stopping)
          console.error(
            `${name} exited (code ${exit.code}, signal ${exit.signal}); see ${cluster.logPath(name)}`,
          );
      });
    }
    const token = (subject: string, roles: Array<'client' | 'admin'>) =>
      issueToken({
        secretKey: jwtSecret,
        issuer: 'contextforge',
        audience: 'contextforge-api',
        subject,
        roles,
        expiresInMs: 24 * 60 * 60 * 1000,
      });
    console.log(`\ngateway: ${layout.gatewayUrl} (gRPC on 9090)`);
    console.log(`registry: ${layout.registryUrl}; result-store: ${layout.resultStoreUrl}`);
    for (const [name, url] of Object.entries(layout.schedulerUrls)) {
      console.log(`${name}: ${url} (/healthz, /readyz, /metrics)`);
    }
    console.log(`export CF_TOKEN=${await token('cluster-client', ['client'])}`);
    console.log(`export CF_ADMIN_TOKEN=${await token('cluster-admin', ['client', 'admin'])}`);
    console.log(
      `try:     curl -s -X POST ${layout.gatewayUrl}/tasks/submit -H "authorization: Bearer $CF_TOKEN" -H 'content-type: application/json' -d '{"type":"echo","input":{"hello":"world"}}'`,
    );
    console.log(
      `then:    curl -s -H "authorization: Bearer $CF_TOKEN" ${layout.gatewayUrl}/tasks/<taskId>/result`,
    );
    console.log('Ctrl-C stops everything.');
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    await stop(1);
  }
}

void main();
