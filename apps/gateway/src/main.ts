import { startGateway } from '@contextforge/gateway-service';
import { HttpApiKeyStore, HttpRegistryClient, HttpResultStoreClient } from '@contextforge/http-kit';
import { runService } from '@contextforge/process-kit';
import { openBus } from '@contextforge/service-wiring';

void runService(
  'gateway',
  async (context) => {
    const { config, logger, onStop, metrics } = context;
    // Only the stream hub reads the bus; every write goes through the result-store's API.
    const bus = await openBus(context, 'gateway');
    const gateway = await startGateway({
      config,
      resultStore: new HttpResultStoreClient(config.resultStore.url),
      registry: new HttpRegistryClient(config.registry.apiUrl),
      apiKeys: new HttpApiKeyStore(config.resultStore.url),
      bus,
      logger,
      metrics,
    });
    onStop(() => gateway.close());
    return [
      `gateway listening on ${gateway.url}` +
        (gateway.grpcPort === undefined ? '' : `, gRPC on port ${gateway.grpcPort}`),
    ];
  },
  { argv: process.argv.slice(2), env: process.env, cwd: process.cwd() },
);
