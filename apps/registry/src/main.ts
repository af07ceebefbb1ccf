import { topicNames } from '@contextforge/contracts';
import { createDiscovery } from '@contextforge/discovery';
import { createServiceApp, listen, registryRouter } from '@contextforge/http-kit';
import { createMessageBus } from '@contextforge/messaging';
import { runService } from '@contextforge/process-kit';
import { Registry } from '@contextforge/registry-service';

void runService(
  'registry',
  async ({ config, logger, onStop }) => {
    const bus = await createMessageBus(config.coordinator.queue.url, { logger, kafka: { clientId: 'registry' } });
    await bus.connect();
    onStop(() => bus.close());
    const discovery = await createDiscovery(config.registry.url, {
      serviceName: config.registry.serviceName,
      ...(config.registry.aclToken ? { aclToken: config.registry.aclToken } : {}),
    });
    await discovery.connect();
    onStop(() => discovery.close());
    const registry = new Registry({ discovery, bus, topics: topicNames(config.coordinator.queue.topicPrefix), logger });
    await registry.start();
    onStop(() => registry.stop());
    const server = await listen(createServiceApp({ logger, routers: [registryRouter(registry)] }), config.registry.port);
    onStop(() => server.close());
    return [`registry listening on :${server.port}`];
  },
  { argv: process.argv.slice(2), env: process.env, cwd: process.cwd() },
);
