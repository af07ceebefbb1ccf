import { topicNames } from '@contextforge/contracts';
import { HttpLeaseStore, createServiceApp, listen, registryRouter } from '@contextforge/http-kit';
import { Leadership, runService } from '@contextforge/process-kit';
import { Registry } from '@contextforge/registry-service';
import { openBus, openDiscovery, replicaId } from '@contextforge/service-wiring';

void runService(
  'registry',
  async (context) => {
    const { config, logger, onStop } = context;
    const bus = await openBus(context, 'registry');
    const discovery = await openDiscovery(context);
    const registry = new Registry({ discovery, bus, topics: topicNames(config.coordinator.queue.topicPrefix), logger });
    await registry.trackCircuits();
    onStop(() => registry.stopTrackingCircuits());
    // Every replica serves reads; one replica at a time publishes agent status events.
    const leadership = new Leadership({
      leases: new HttpLeaseStore(config.resultStore.url),
      name: 'registry',
      holder: replicaId('registry'),
      ttlMs: config.coordinator.agents.heartbeatTimeout / 2,
      logger,
      lead: async () => {
        await registry.start();
        return () => registry.stop();
      },
    });
    leadership.start();
    onStop(() => leadership.stop());
    const server = await listen(createServiceApp({ logger, routers: [registryRouter(registry)] }), config.registry.port);
    onStop(() => server.close());
    return [`registry listening on :${server.port}`];
  },
  { argv: process.argv.slice(2), env: process.env, cwd: process.cwd() },
);
