import { ConsulApiDouble, describeDiscoveryContract } from '@contextforge/testing';
import { ConsulDiscovery } from '../src/consul/consul-discovery';

describeDiscoveryContract('ConsulDiscovery against the ConsulApiDouble (with an ACL token)', async () => {
  const ttlMs = 800;
  const token = 'contract-token';
  const consul = await ConsulApiDouble.start({ token });
  const discovery = new ConsulDiscovery({
    host: consul.host,
    port: consul.port,
    aclToken: token,
    ttlMs,
    watchWaitMs: 10_000,
  });
  await discovery.connect();
  return {
    discovery,
    ttlMs,
    cleanup: async () => {
      await discovery.close();
      await consul.stop();
    },
  };
});
