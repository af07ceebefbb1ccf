import { HttpAgentTransport, SchemeRoutingTransport } from '@contextforge/agent-transport';
import { topicNames } from '@contextforge/contracts';
import { HttpLeaseStore, createServiceApp, listen, registryRouter } from '@contextforge/http-kit';
import { Leadership, runService } from '@contextforge/process-kit';
import { ActiveHealthChecker, Registry } from '@contextforge/registry-service';
import { openBus, openDiscovery, openTls, replicaId } from '@contextforge/service-wiring';

void runService(
  'registry',
  async (context) => {
    const { config, logger, onStop, metrics } = context;
    const bus = await openBus(context, 'registry');
    const discovery = await openDiscovery(context);
    // Health pings to https:// agents use the same client certificate as dispatches.
    const tls = await openTls(context);
    const registry = new Registry({
      discovery,
      bus,
      topics: topicNames(config.coordinator.queue.topicPrefix),
      logger,
      metrics,
    });
    await registry.trackCircuits();
    onStop(() => registry.stopTrackingCircuits());
    const { healthCheckInterval, healthCheckTimeout, maxFailures } = config.coordinator.agents;
    // Cluster mode has no in-process agents: a memory:// endpoint fails its pings.
    const healthChecker = new ActiveHealthChecker({
      discovery,
      transport: new SchemeRoutingTransport(undefined, new HttpAgentTransport(tls ? { tls } : {})),
      logger: logger.child({ component: 'active-health-checker' }),
      intervalMs: healthCheckInterval,
      timeoutMs: healthCheckTimeout,
      maxFailures,
    });
    // Every replica serves reads; one replica at a time publishes agent status events and probes
    // agents.
    const leadership = new Leadership({
      leases: new HttpLeaseStore(config.resultStore.url),
      name: 'registry',
      holder: replicaId('registry'),
      ttlMs: config.coordinator.agents.heartbeatTimeout / 2,
      logger,
      lead: async () => {
        await registry.start();
        healthChecker.start();
        return async () => {
          await healthChecker.stop();
          await registry.stop();
        };
      },
    });
    leadership.start();
    onStop(() => leadership.stop());
    const server = await listen(
      createServiceApp({
        logger,
        routers: [registryRouter(registry)],
        metrics: { registry: metrics, service: 'registry' },
      }),
      config.registry.port,
    );
    onStop(() => server.close());
    return [`registry listening on :${server.port}`];
  },
  { argv: process.argv.slice(2), env: process.env, cwd: process.cwd() },
);
