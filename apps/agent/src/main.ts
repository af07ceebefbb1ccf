import { AgentRuntime } from '@contextforge/agent-sdk';
import { serveAgentEndpoint } from '@contextforge/agent-transport';
import { agentTypesByName } from '@contextforge/agent-types';
import { topicNames } from '@contextforge/contracts';
import { HttpPayloadStore } from '@contextforge/http-kit';
import { runService } from '@contextforge/process-kit';
import { openBus, openDiscovery, openTls } from '@contextforge/service-wiring';
import { hostname } from 'node:os';

void runService(
  'agent',
  async (context) => {
    const { config, logger, onStop, metrics } = context;
    const { agent: settings } = config;
    const id = settings.id ?? `agent-${hostname()}-${settings.port}`;
    const bus = await openBus(context, id);
    const discovery = await openDiscovery(context, settings.registry.url);
    // mTLS (network.tls): the endpoint serves HTTPS and refuses callers without a client certificate.
    const tls = await openTls(context);
    let port = settings.port;
    const runtime = new AgentRuntime({
      registration: {
        id,
        name: settings.name ?? id,
        type: settings.type,
        capabilities: [...settings.capabilities],
        resources: { ...settings.resources },
        endpoint: settings.endpoint ?? `${tls ? 'https' : 'http'}://${hostname()}:${settings.port}`,
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
        const server = await serveAgentEndpoint(endpoint, {
          port: settings.port,
          ...(tls ? { tls } : {}),
          bodyLimitBytes: config.network.bodyLimit,
          logger,
          metrics,
        });
        port = server.port;
        return server;
      },
      heartbeatIntervalMs: settings.registry.heartbeatInterval,
      drainTimeoutMs: settings.drainTimeout,
      // Outputs too large for a bus message go to the result-store; events carry their ids.
      payloadStore: new HttpPayloadStore(config.resultStore.url),
      inlineLimitBytes: config.payloads.inlineLimit,
    });
    await runtime.start();
    onStop(() => runtime.stop());
    return [`agent ${id} listening on :${port} (${runtime.registration.endpoint})`];
  },
  { argv: process.argv.slice(2), env: process.env, cwd: process.cwd() },
);
