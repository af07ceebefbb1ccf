import { AgentRuntime } from '@contextforge/agent-sdk';
import { MemoryAgentNetwork } from '@contextforge/agent-transport';
import { builtinAgentTypes } from '@contextforge/agent-types';
import type { Config } from '@contextforge/config';
import { topicNames, type Discovery, type MessageBus, type TaskView } from '@contextforge/contracts';
import { createDiscovery } from '@contextforge/discovery';
import { createDevCredentials, type DevCredentials } from '@contextforge/auth';
import { startGateway } from '@contextforge/gateway-service';
import { busOptionsFromConfig } from '@contextforge/service-wiring';
import { createMessageBus } from '@contextforge/messaging';
import {
  createLogger,
  createMetricsRegistry,
  type Logger,
  type MetricsRegistry,
} from '@contextforge/observability';
import { createApiKeyStore, createTaskRepository, type TaskStore } from '@contextforge/persistence';
import { ActiveHealthChecker, Registry } from '@contextforge/registry-service';
import { createResultStoreService } from '@contextforge/result-store-service';
import { createSchedulerService, type JobCoordinator, type Scheduler } from '@contextforge/scheduler-service';

export interface EmbeddedSystem {
  /** Base URL of the gateway, e.g. http://127.0.0.1:8080 */
  url: string;
  port: number;
  /** The gateway's gRPC port, when gRPC is enabled. */
  grpcPort?: number;
  /**
   * Development credentials made at start (security.dev_credentials), also written to
   * security.credentials_file; undefined when disabled.
   */
  credentials?: DevCredentials;
  /** Where the development credentials were written. */
  credentialsFile?: string;
  bus: MessageBus;
  discovery: Discovery;
  repository: TaskStore;
  agents: AgentRuntime[];
  scheduler: Scheduler;
  /** Runs repository jobs (use case 1) beside the scheduler. */
  jobs(): JobCoordinator | undefined;
  /** The Prometheus registry every service of the process records into (served at the gateway's /metrics). */
  metrics: MetricsRegistry;
  /** Calls `listener` with every task the result-store changes; returns the unsubscribe function. */
  onTaskChanged(listener: (task: TaskView) => void): () => void;
  /** Stops everything, in the reverse order of starting. */
  stop(): Promise<void>;
}

export interface EmbeddedOverrides {
  logger?: Logger;
  /** Where the gateway unpacks uploaded repositories (default `.contextforge/workspace`). */
  workspaceDir?: string;
  /** The Prometheus registry (default: a new one, service label `embedded`). */
  metrics?: MetricsRegistry;
  /**
   * Wraps the bus every service of the process uses (instrumentation, fault injection); it still
   * connects and closes the bus it was given.
   */
  decorateBus?: (bus: MessageBus) => MessageBus;
}

/**
 * The whole system in one process: every service with in-memory bus and discovery, PGlite (or
 * whatever database.url names), and `embedded.agents` local agents reached through an in-memory
 * transport. The same services run as separate processes in the cluster mode.
 */
export async function startEmbeddedSystem(
  config: Config,
  overrides: EmbeddedOverrides = {},
): Promise<EmbeddedSystem> {
  const logger = overrides.logger ?? createLogger({ service: 'contextforge', level: config.logging.level });
  const metrics = overrides.metrics ?? createMetricsRegistry({ service: 'embedded' });
  const stack: Array<() => Promise<void>> = [];
  const stop = async () => {
    for (const close of stack.reverse()) {
      await close().catch((error) => logger.error({ err: String(error) }, 'shutdown step failed'));
    }
  };
  try {
    const topics = topicNames(config.coordinator.queue.topicPrefix);
    const rawBus = await createMessageBus(
      config.coordinator.queue.url,
      busOptionsFromConfig(config, 'contextforge-embedded', {
        logger: logger.child({ component: 'bus' }),
        metrics,
      }),
    );
    await rawBus.connect();
    stack.push(() => rawBus.close());
    const bus = overrides.decorateBus ? overrides.decorateBus(rawBus) : rawBus;

    const discovery = await createDiscovery(config.registry.url, {
      ttlMs: config.agent.registry.ttl,
      deregisterCriticalAfterMs: config.agent.registry.deregisterCriticalAfter,
    });
    await discovery.connect();
    stack.push(() => discovery.close());

    const repository = createTaskRepository(config.database.url, {
      poolSize: config.database.poolMax,
      inlineLimitBytes: config.payloads.inlineLimit,
    });
    await repository.connect();
    stack.push(() => repository.close());

    const listeners = new Set<(task: TaskView) => void>();
    const onTaskChanged = (listener: (task: TaskView) => void) => {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    };
    const resultStoreService = createResultStoreService(config, {
      store: repository,
      bus,
      logger,
      metrics,
      onTasksChanged: (tasks) => {
        for (const task of tasks) for (const listener of listeners) listener(task);
      },
    });
    await resultStoreService.start();
    stack.push(() => resultStoreService.stop());
    const { resultStore } = resultStoreService;

    const registry = new Registry({
      discovery,
      bus,
      topics,
      logger: logger.child({ component: 'registry' }),
      metrics,
    });
    await registry.start();
    stack.push(() => registry.stop());
    await registry.trackCircuits();
    stack.push(() => registry.stopTrackingCircuits());

    const network = new MemoryAgentNetwork();
    const healthChecker = new ActiveHealthChecker({
      discovery,
      transport: network,
      logger: logger.child({ component: 'active-health-checker' }),
      intervalMs: config.coordinator.agents.healthCheckInterval,
      timeoutMs: config.coordinator.agents.healthCheckTimeout,
      maxFailures: config.coordinator.agents.maxFailures,
    });
    healthChecker.start();
    stack.push(() => healthChecker.stop());
    // The one scheduler replica, on the same store; repository jobs (use case 1) run beside it. A
    // restart on a durable database resumes everything: the queue is the store.
    const schedulerService = createSchedulerService(config, {
      queue: repository,
      bus,
      discovery,
      transport: network,
      jobStore: resultStore,
      logger,
      metrics,
      replicaId: 'embedded-scheduler',
      onCommitted: () => resultStoreService.relay.kick(),
    });
    await schedulerService.start();
    stack.push(() => schedulerService.stop());

    const agents: AgentRuntime[] = [];
    for (let index = 1; index <= config.embedded.agents; index += 1) {
      const id = `local-agent-${index}`;
      const agent = new AgentRuntime({
        registration: {
          id,
          name: `Local agent ${index}`,
          type: config.agent.type,
          capabilities: [...config.agent.capabilities],
          resources: { ...config.agent.resources },
          endpoint: `memory://${id}`,
          weight: config.agent.weight,
          concurrency: config.agent.concurrency,
          version: '0.1.0',
        },
        agentTypes: builtinAgentTypes,
        bus,
        discovery,
        topics,
        logger: logger.child({ component: 'agent' }),
        listen: async (endpoint) => network.listen(`memory://${id}`, endpoint),
        heartbeatIntervalMs: config.agent.registry.heartbeatInterval,
        drainTimeoutMs: config.agent.drainTimeout,
        // Outputs above the inline limit go to the store by reference, never onto the bus.
        payloadStore: resultStore.payloads,
        inlineLimitBytes: config.payloads.inlineLimit,
      });
      await agent.start();
      stack.push(() => agent.stop());
      agents.push(agent);
    }

    const apiKeys = createApiKeyStore(config.database.url, { repository });
    await apiKeys.connect();
    stack.push(() => apiKeys.close());
    const host = config.coordinator.host === '0.0.0.0' ? '127.0.0.1' : config.coordinator.host;
    const credentials = config.security.devCredentials
      ? await createDevCredentials({
          authentication: config.security.authentication,
          apiKeys,
          credentialsFile: config.security.credentialsFile,
          ...(config.coordinator.port === 0
            ? {}
            : { gatewayUrl: `http://${host}:${config.coordinator.port}` }),
        })
      : undefined;
    const gateway = await startGateway({
      config,
      resultStore,
      registry,
      apiKeys,
      bus,
      logger: logger.child({ component: 'gateway' }),
      metrics,
      ...(credentials ? { jwt: credentials.jwt } : {}),
      ...(overrides.workspaceDir ? { repositoryJobs: { workspaceDir: overrides.workspaceDir } } : {}),
    });
    stack.push(() => gateway.close());
    return {
      url: gateway.url,
      port: gateway.port,
      ...(gateway.grpcPort === undefined ? {} : { grpcPort: gateway.grpcPort }),
      ...(credentials ? { credentials, credentialsFile: config.security.credentialsFile } : {}),
      bus,
      discovery,
      repository,
      agents,
      scheduler: schedulerService.scheduler,
      jobs: schedulerService.jobs,
      metrics,
      onTaskChanged,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
