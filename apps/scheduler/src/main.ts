import { SchemeRoutingTransport } from '@contextforge/agent-transport';
import { topicNames } from '@contextforge/contracts';
import { HttpLeaseStore, HttpResultStoreClient, createServiceApp, listen } from '@contextforge/http-kit';
import { Leadership, runService } from '@contextforge/process-kit';
import { Scheduler, recoverTasks, schedulerSettingsFromConfig } from '@contextforge/scheduler-service';
import { openBus, openDiscovery, replicaId } from '@contextforge/service-wiring';

void runService(
  'scheduler',
  async (context) => {
    const { config, logger, onStop } = context;
    const bus = await openBus(context, 'scheduler');
    const discovery = await openDiscovery(context);
    const resultStore = new HttpResultStoreClient(config.resultStore.url);
    // One replica schedules at a time; a new leader rebuilds the queue from the result-store.
    const leadership = new Leadership({
      leases: new HttpLeaseStore(config.resultStore.url),
      name: 'scheduler',
      holder: replicaId('scheduler'),
      ttlMs: config.coordinator.agents.heartbeatTimeout / 2,
      logger,
      lead: async () => {
        const scheduler = new Scheduler({
          ...schedulerSettingsFromConfig(config),
          bus,
          discovery,
          transport: new SchemeRoutingTransport(),
          topics: topicNames(config.coordinator.queue.topicPrefix),
          logger,
        });
        await scheduler.start();
        const adopted = await recoverTasks(scheduler, resultStore);
        logger.info({ adopted }, 'scheduling');
        return () => scheduler.stop();
      },
    });
    leadership.start();
    onStop(() => leadership.stop());
    const server = await listen(createServiceApp({ logger }), config.scheduler.port);
    onStop(() => server.close());
    return [`scheduler listening on :${server.port}`];
  },
  { argv: process.argv.slice(2), env: process.env, cwd: process.cwd() },
);
