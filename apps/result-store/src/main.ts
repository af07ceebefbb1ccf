import {
  apiKeyStoreRouter,
  createServiceApp,
  leaseRouter,
  listen,
  payloadRouter,
  resultStoreRouter,
} from '@contextforge/http-kit';
import { createApiKeyStore, createLeaseStore, createTaskRepository } from '@contextforge/persistence';
import { runService } from '@contextforge/process-kit';
import { createResultStoreService } from '@contextforge/result-store-service';
import { openBus } from '@contextforge/service-wiring';

void runService(
  'result-store',
  async (context) => {
    const { config, logger, onStop, metrics } = context;
    // No linger: the store's consumer handles one batch at a time and waits for the announcement of
    // each before the next, so a lingering producer would only add its wait to every batch.
    const bus = await openBus(context, 'result-store', { lingerMs: 0 });
    const inlineLimitBytes = config.payloads.inlineLimit;
    const repository = createTaskRepository(config.database.url, {
      poolSize: config.database.poolMax,
      inlineLimitBytes,
    });
    await repository.connect();
    onStop(() => repository.close());
    const leases = await createLeaseStore(config.database.url);
    onStop(() => leases.close());
    // Shares the repository's connection (and its migrations): one pool, and PGlite serves one client.
    const apiKeys = createApiKeyStore(config.database.url, { repository });
    await apiKeys.connect();
    onStop(() => apiKeys.close());
    const service = createResultStoreService(config, { store: repository, bus, logger, metrics });
    await service.start();
    onStop(() => service.stop());
    const store = service.resultStore;
    const routers = [
      resultStoreRouter(store, config.network.bodyLimit),
      payloadRouter(store.payloads, config.network.bodyLimit),
      leaseRouter(leases),
      apiKeyStoreRouter(apiKeys),
    ];
    const server = await listen(
      createServiceApp({ logger, routers, metrics: { registry: metrics, service: 'result-store' } }),
      config.resultStore.port,
    );
    onStop(() => server.close());
    return [`result-store listening on :${server.port}`];
  },
  { argv: process.argv.slice(2), env: process.env, cwd: process.cwd() },
);
