import { AgentRuntime } from '@contextforge/agent-sdk';
import { serveAgentEndpoint } from '@contextforge/agent-transport';
import { agentTypesByName } from '@contextforge/agent-types';
import { topicNames } from '@contextforge/contracts';
import { createDiscovery } from '@contextforge/discovery';
import { createMessageBus } from '@contextforge/messaging';
import { runService } from '@contextforge/process-kit';
import { hostname } from 'node:os';

void runService(
  'agent',
  async ({ config, logger, onStop }) => {
    const { agent: settings } = config;
    const id = settings.id ?? `agent-${hostname()}-${settings.port}`;
    const bus = await createMessageBus(config.coordinator.queue.url, { logger, kafka: { clientId: id } });
    await bus.connect();
    onStop(() => bus.close());
    const discovery = await createDiscovery(settings.registry.url, {
      serviceName: config.registry.serviceName,
      ttlMs: settings.registry.ttl,
      deregisterCriticalAfterMs: settings.registry.deregisterCriticalAfter,
      ...(config.registry.aclToken ? { aclToken: config.registry.aclToken } : {}),
    });
    await discovery.connect();
    onStop(() => discovery.close());
    let port = settings.port;
    const runtime = new AgentRuntime({
      registration: {
        id,
        name: settings.name ?? id,
        type: settings.type,
        capabilities: [...settings.capabilities],
        resources: { ...settings.resources },
        endpoint: settings.endpoint ?? `http://${hostname()}:${settings.port}`,
        weight: settings.weight,
        concurrency: settings.concurrency,
        version: '0.1.0',
      },
      agentTypes: agentTypesByName(settings.taskTypes),
      bus,
      discovery,
      topics: topicNames(config.coordinator.queue.topicPrefix),
      logger,
      listen: async (endpoint) => {
        const server = await serveAgentEndpoint(endpoint, { port: settings.port, bodyLimitBytes: config.network.bodyLimit });
        port = server.port;
        return server;
      },
      heartbeatIntervalMs: settings.registry.heartbeatInterval,
      drainTimeoutMs: settings.drainTimeout,
    });
    await runtime.start();
    onStop(() => runtime.stop());
    return [`agent ${id} listening on :${port} (${runtime.registration.endpoint})`];
  },
  { argv: process.argv.slice(2), env: process.env, cwd: process.cwd() },
);
