import { AppError, type Discovery } from '@contextforge/contracts';
import { MemoryDiscovery, type MemoryDiscoveryOptions } from './memory-discovery';
import type { ConsulDiscoveryOptions } from './consul/consul-discovery-options';

/** Options for every adapter; each adapter reads the ones it knows. */
export interface CreateDiscoveryOptions
  extends
    MemoryDiscoveryOptions,
    Omit<ConsulDiscoveryOptions, 'host' | 'port' | 'secure' | 'ttlMs' | 'deregisterCriticalAfterMs'> {}

/**
 * Chooses the Discovery adapter by URL scheme and returns it unconnected (call `connect()`):
 *   memory://[name]                 MemoryDiscovery (embedded mode, tests)
 *   consul://host[:port]            ConsulDiscovery over HTTP (port 8500 by default)
 *   consul+https://host[:port]      ConsulDiscovery over HTTPS (port 8501 by default)
 * The Consul adapter and its client are imported only when a consul URL is used. Each memory://
 * URL gives a new, independent registry: in the embedded mode, build one and hand the same
 * instance to every service that needs it.
 */
export async function createDiscovery(url: string, options: CreateDiscoveryOptions = {}): Promise<Discovery> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new AppError('CONFIG_INVALID', `discovery url "${url}" is not a URL`);
  }
  switch (parsed.protocol) {
    case 'memory:':
      return new MemoryDiscovery(options);
    case 'consul:':
    case 'consul+https:': {
      if (!parsed.hostname) throw new AppError('CONFIG_INVALID', `discovery url "${url}" has no host`);
      const secure = parsed.protocol === 'consul+https:';
      const { ConsulDiscovery } = await import('./consul/consul-discovery');
      return new ConsulDiscovery({
        ...options,
        host: parsed.hostname,
        port: parsed.port ? Number(parsed.port) : secure ? 8501 : 8500,
        secure,
      });
    }
    default:
      throw new AppError(
        'CONFIG_INVALID',
        `discovery url "${url}": unsupported scheme ${parsed.protocol} (memory://, consul://, consul+https://)`,
      );
  }
}
