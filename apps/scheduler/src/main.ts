import { AgentRuntime } from '@contextforge/agent-sdk';
import {
  HttpAgentTransport,
  MemoryAgentNetwork,
  SchemeRoutingTransport,
} from '@contextforge/agent-transport';
import { agentTypesByName } from '@contextforge/agent-types';
import {
  CONSUMER_GROUPS,
  topicNames,
  type AgentRegistration,
  type MessageBus,
} from '@contextforge/contracts';
import { createDiscovery } from '@contextforge/discovery';
import { HttpLeaseStore, HttpResultStoreClient, createServiceApp, listen } from '@contextforge/http-kit';
import { Leadership, runService, type ServiceContext } from '@contextforge/process-kit';
import {
  JobCoordinator,
  Scheduler,
  recoverTasks,
  schedulerSettingsFromConfig,
} from '@contextforge/scheduler-service';
import { openBus, openDiscovery, openTls, replicaId } from '@contextforge/service-wiring';
import { Router } from 'express';

/**
 * How long a new leader waits for the result-store to catch up with the task events before it
 * gives up this round (Leadership tries again on its next renewal).
 */
const RESULT_STORE_CATCH_UP_MS = 120_000;

void runService(
  'scheduler',
  async (context) => {
    const { config, logger, onStop, metrics } = context;
    const bus = await openBus(context, 'scheduler');
    const discovery = await openDiscovery(context);
    const resultStore = new HttpResultStoreClient(config.resultStore.url);
    const topics = topicNames(config.coordinator.queue.topicPrefix);
    const local = new MemoryAgentNetwork();
    // mTLS (network.tls): dispatches to https:// agents present this process's client certificate.
    const tls = await openTls(context);
    const fallback =
      config.coordinator.fallback === 'local' ? await startLocalFallback(context, bus, local) : undefined;
    // One replica schedules at a time; a new leader rebuilds the queue from the result-store.
    const holder = replicaId('scheduler');
    const leadership = new Leadership({
      leases: new HttpLeaseStore(config.resultStore.url),
      name: 'scheduler',
      holder,
      ttlMs: config.coordinator.agents.heartbeatTimeout / 2,
      logger,
      lead: async () => {
        // Repository jobs run on the leader only, beside the queue; recovery hands their open
        // parents to it (Scheduler.adopt) and it rebuilds each job from the result-store.
        const jobs = new JobCoordinator({
          bus,
          topics,
          resultStore,
          logger: logger.child({ component: 'job-coordinator' }),
        });
        const scheduler = new Scheduler({
          ...schedulerSettingsFromConfig(config),
          bus,
          discovery,
          transport: new SchemeRoutingTransport(local, new HttpAgentTransport(tls ? { tls } : {})),
          topics,
          logger,
          ...(fallback ? { fallback } : {}),
          jobs,
          metrics,
        });
        try {
          await jobs.start();
          let adopted = 0;
          await scheduler.start({
            beforeConsuming: async () => {
              // The store must have applied every task event published so far (the previous
              // leader's last dispatches among them): a task adopted from a store behind the
              // topic looks queued and would run a second time.
              logger.info('waiting for the result-store to apply the task events');
              await bus.waitForGroup(CONSUMER_GROUPS.resultStore, topics.taskEvents, {
                timeoutMs: RESULT_STORE_CATCH_UP_MS,
              });
              adopted = await recoverTasks(scheduler, resultStore);
            },
          });
          logger.info({ adopted }, 'scheduling');
        } catch (error) {
          // Leadership calls lead() again on its next round: a half-started scheduler left running
          // here would be a second one in this process.
          await scheduler.stop();
          await jobs.stop();
          throw error;
        }
        return async () => {
          await scheduler.stop();
          await jobs.stop();
        };
      },
    });
    leadership.start();
    onStop(() => leadership.stop());
    // Which replica schedules: for operators (and the fail-over system test), beside /readyz,
    // which every replica answers (a standby is ready to take over).
    const status = Router().get('/leadership', (_req, res) => {
      res.json({ lease: 'scheduler', holder, leading: leadership.leading });
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
    return [`scheduler listening on :${server.port}`];
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
  });
  await runtime.start();
  onStop(() => runtime.stop());
  return runtime.registration;
}
