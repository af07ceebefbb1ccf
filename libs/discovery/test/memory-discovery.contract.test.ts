import { describeDiscoveryContract } from '@contextforge/testing';
import { MemoryDiscovery } from '../src/memory-discovery';

describeDiscoveryContract('MemoryDiscovery', async () => {
  const ttlMs = 400;
  const discovery = new MemoryDiscovery({ ttlMs });
  await discovery.connect();
  return { discovery, ttlMs, cleanup: () => discovery.close() };
});
