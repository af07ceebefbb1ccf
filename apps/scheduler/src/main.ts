import { SchemeRoutingTransport } from '@contextforge/agent-transport';
import { topicNames } from '@contextforge/contracts';
import { createDiscovery } from '@contextforge/discovery';
import { createServiceApp, listen } from '@contextforge/http-kit';
import { createMessageBus } from '@contextforge/messaging';
import { runService } from '@contextforge/process-kit';
import { Scheduler, schedulerSettingsFromConfig } from '@contextforge/scheduler-service';

void runService(
  'scheduler',
  async ({ config, logger, onStop }) => {
    const bus = await createMessageBus(config.coordinator.queue.url, { logger, kafka: { clientId: 'scheduler' } });
    await bus.connect();
    onStop(() => bus.close());
    const discovery = await createDiscovery(config.registry.url, {
      serviceName: config.registry.serviceName,
      ...(config.registry.aclToken ? { aclToken: config.registry.aclToken } : {}),
    });
    await discovery.connect();
    onStop(() => discovery.close());
    const scheduler = new Scheduler({
      ...schedulerSettingsFromConfig(config),
      bus,
      discovery,
      transport: new SchemeRoutingTransport(),
      topics: topicNames(config.coordinator.queue.topicPrefix),
      logger,
    });
    await scheduler.start();
    onStop(() => scheduler.stop());
    const server = await listen(createServiceApp({ logger }), config.scheduler.port);
    onStop(() => server.close());
    return [`scheduler listening on :${server.port}`];
  },
  { argv: process.argv.slice(2), env: process.env, cwd: process.cwd() },
);
