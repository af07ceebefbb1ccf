import { AgentRuntime } from '@contextforge/agent-sdk';
import {
  HttpAgentTransport,
  MemoryAgentNetwork,
  SchemeRoutingTransport,
} from '@contextforge/agent-transport';
import { agentTypesByName } from '@contextforge/agent-types';
import { topicNames, type AgentRegistration, type MessageBus } from '@contextforge/contracts';
import { createDiscovery } from '@contextforge/discovery';
import {
  HttpLeaseStore,
  HttpPayloadStore,
  HttpResultStoreClient,
  createServiceApp,
  listen,
} from '@contextforge/http-kit';
import { OutboxRelay, createTaskRepository } from '@contextforge/persistence';
import { runService, type ServiceContext } from '@contextforge/process-kit';
import { createSchedulerService } from '@contextforge/scheduler-service';
import { openBus, openDiscovery, openTls, replicaId } from '@contextforge/service-wiring';
import { Router } from 'express';

void runService(
  'scheduler',
  async (context) => {
    const { config, logger, onStop, metrics } = context;
    const bus = await openBus(context, 'scheduler');
    const discovery = await openDiscovery(context);
    // The queue is the task tables: every replica claims from them (no leader, no standby).
    const queue = createTaskRepository(config.database.url, {
      poolSize: config.database.poolMax,
      inlineLimitBytes: config.payloads.inlineLimit,
    });
    await queue.connect();
    onStop(() => queue.close());
    const relay = new OutboxRelay({
      queue,
      bus,
      topic: topicNames(config.coordinator.queue.topicPrefix).taskChanges,
      logger: logger.child({ component: 'outbox-relay' }),
    });
    relay.start();
    onStop(() => relay.stop());
    const local = new MemoryAgentNetwork();
    // mTLS (network.tls): dispatches to https:// agents present this process's client certificate.
    const tls = await openTls(context);
    const fallback =
      config.coordinator.fallback === 'local' ? await startLocalFallback(context, bus, local) : undefined;
    const replica = replicaId('scheduler');
    const service = createSchedulerService(config, {
      queue,
      bus,
      discovery,
      transport: new SchemeRoutingTransport(local, new HttpAgentTransport(tls ? { tls } : {})),
      jobStore: new HttpResultStoreClient(config.resultStore.url),
      // Repository jobs are coordinated by one replica at a time.
      leases: new HttpLeaseStore(config.resultStore.url),
      logger,
      metrics,
      replicaId: replica,
      onCommitted: () => relay.kick(),
      ...(fallback ? { fallback } : {}),
    });
    await service.start();
    onStop(() => service.stop());
    // What this replica does, for operators (and the system tests) comparing replicas.
    const status = Router().get('/replica', (_req, res) => {
      res.json({
        replica,
        dispatched: service.scheduler.dispatchCount(),
        coordinatesJobs: service.coordinatesJobs(),
      });
    });
    const server = await listen(
      createServiceApp({
        logger,
        routers: [status],
        metrics: { registry: metrics, service: 'scheduler' },
      }),
      config.scheduler.port,
    );
    onStop(() => server.close());
    return [`scheduler ${replica} listening on :${server.port}`];
  },
  { argv: process.argv.slice(2), env: process.env, cwd: process.cwd() },
);

/**
 * `coordinator.fallback: local`: the configured agent types run in this process, used by the
 * scheduler only when no healthy agent can run a task. The runtime registers in a discovery of its
 * own, so no other scheduler or registry sees it.
 */
async function startLocalFallback(
  { config, logger, onStop }: ServiceContext,
  bus: MessageBus,
  network: MemoryAgentNetwork,
): Promise<AgentRegistration> {
  const discovery = await createDiscovery('memory://');
  await discovery.connect();
  onStop(() => discovery.close());
  const endpoint = 'memory://scheduler-local-fallback';
  const runtime = new AgentRuntime({
    registration: {
      id: 'scheduler-local-fallback',
      name: 'Scheduler local fallback',
      type: 'fallback',
      capabilities: [...config.agent.capabilities],
      resources: {},
      endpoint,
      weight: 1,
      concurrency: config.agent.concurrency,
      version: '0.1.0',
    },
    agentTypes: agentTypesByName(config.agent.taskTypes),
    bus,
    discovery,
    topics: topicNames(config.coordinator.queue.topicPrefix),
    logger: logger.child({ component: 'fallback-agent' }),
    listen: async (agent) => network.listen(endpoint, agent),
    heartbeatIntervalMs: config.agent.registry.heartbeatInterval,
    drainTimeoutMs: config.agent.drainTimeout,
    payloadStore: new HttpPayloadStore(config.resultStore.url),
    inlineLimitBytes: config.payloads.inlineLimit,
  });
  await runtime.start();
  onStop(() => runtime.stop());
  return runtime.registration;
}
