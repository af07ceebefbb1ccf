import { createDiscovery } from './create-discovery';
import { MemoryDiscovery } from './memory-discovery';
import { ConsulDiscovery } from './consul/consul-discovery';

describe('createDiscovery', () => {
  it('builds a MemoryDiscovery for memory://', async () => {
    expect(await createDiscovery('memory://', { ttlMs: 1_000 })).toBeInstanceOf(MemoryDiscovery);
  });

  it('builds a ConsulDiscovery for consul:// and consul+https://, with the default ports', async () => {
    const plain = await createDiscovery('consul://consul.internal:8600', { aclToken: 't' });
    expect(plain).toBeInstanceOf(ConsulDiscovery);
    expect((plain as ConsulDiscovery).options).toMatchObject({
      host: 'consul.internal',
      port: 8600,
      secure: false,
      aclToken: 't',
    });
    const tls = await createDiscovery('consul+https://consul.internal');
    expect((tls as ConsulDiscovery).options).toMatchObject({
      host: 'consul.internal',
      port: 8501,
      secure: true,
    });
    expect(((await createDiscovery('consul://c')) as ConsulDiscovery).options).toMatchObject({ port: 8500 });
  });

  it('rejects unknown schemes and non-URLs with CONFIG_INVALID', async () => {
    await expect(createDiscovery('etcd://x:2379')).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
    await expect(createDiscovery('not a url')).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
  });
});
