import { Gateway } from '@contextforge/gateway-service';
import { HttpRegistryClient, HttpResultStoreClient } from '@contextforge/http-kit';
import { runService } from '@contextforge/process-kit';

void runService(
  'gateway',
  async ({ config, logger, onStop }) => {
    const gateway = new Gateway({
      resultStore: new HttpResultStoreClient(config.resultStore.url),
      registry: new HttpRegistryClient(config.registry.apiUrl),
      logger,
      bodyLimitBytes: config.network.bodyLimit,
    });
    const port = await gateway.listen(config.coordinator.port, config.coordinator.host);
    onStop(() => gateway.close());
    return [`gateway listening on http://${config.coordinator.host}:${port}`];
  },
  { argv: process.argv.slice(2), env: process.env, cwd: process.cwd() },
);
