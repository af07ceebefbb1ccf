import { topicNames } from '@contextforge/contracts';
import { createServiceApp, listen, resultStoreRouter } from '@contextforge/http-kit';
import { createMessageBus } from '@contextforge/messaging';
import { createTaskRepository } from '@contextforge/persistence';
import { runService } from '@contextforge/process-kit';
import { ResultStore } from '@contextforge/result-store-service';

void runService(
  'result-store',
  async ({ config, logger, onStop }) => {
    const bus = await createMessageBus(config.coordinator.queue.url, { logger, kafka: { clientId: 'result-store' } });
    await bus.connect();
    onStop(() => bus.close());
    const repository = createTaskRepository(config.database.url, { poolSize: config.database.poolMax });
    await repository.connect();
    onStop(() => repository.close());
    const store = new ResultStore({ repository, bus, topics: topicNames(config.coordinator.queue.topicPrefix), logger });
    await store.start();
    onStop(() => store.stop());
    const app = createServiceApp({ logger, routers: [resultStoreRouter(store, config.network.bodyLimit)] });
    const server = await listen(app, config.resultStore.port);
    onStop(() => server.close());
    return [`result-store listening on :${server.port}`];
  },
  { argv: process.argv.slice(2), env: process.env, cwd: process.cwd() },
);
