import type { ServiceContext } from '@contextforge/process-kit';
import { TlsMaterial } from '@contextforge/tls';

/**
 * The TLS material of `network.tls` when it is enabled (undefined otherwise): certificates re-read
 * when their files change, reloads and refused peers logged, closed with the service.
 */
export async function openTls({ config, logger, onStop }: ServiceContext): Promise<TlsMaterial | undefined> {
  if (!config.network.tls.enabled) return undefined;
  const tls = await TlsMaterial.load(config.network.tls);
  tls.on('reload', (info) => logger.info({ ...info }, 'TLS certificates reloaded'));
  tls.on('reloadError', (error) =>
    logger.error(
      { err: error.message },
      'TLS certificates changed but could not be loaded; keeping the old ones',
    ),
  );
  tls.on('peerRejected', (peer) => logger.warn({ ...peer }, 'TLS peer refused'));
  onStop(async () => tls.close());
  return tls;
}
