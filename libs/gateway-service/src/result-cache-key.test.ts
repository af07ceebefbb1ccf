import type { Agent } from '@contextforge/contracts';
import { TypeVersions, canonicalJson, resultCacheKey } from './result-cache-key';

const agent = (id: string, overrides: Partial<Agent> = {}): Agent => ({
  id,
  name: id,
  type: 'indexer',
  taskTypes: ['indexer'],
  capabilities: [],
  resources: {},
  endpoint: `http://${id}:1`,
  weight: 1,
  concurrency: 1,
  version: '1.0.0',
  status: 'healthy',
  circuit: 'closed',
  lastHeartbeatAgeMs: 0,
  typeVersions: { indexer: '1.0.0' },
  ...overrides,
});

describe('resultCacheKey', () => {
  it('is the same for equal inputs whatever the key order, and differs when type, version or input do', () => {
    const key = resultCacheKey('indexer', '1', { file: 'a.ts', options: { depth: 2, all: true } });
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    expect(resultCacheKey('indexer', '1', { options: { all: true, depth: 2 }, file: 'a.ts' })).toBe(key);
    const others = [
      resultCacheKey('reviewer', '1', { file: 'a.ts', options: { depth: 2, all: true } }),
      resultCacheKey('indexer', '2', { file: 'a.ts', options: { depth: 2, all: true } }),
      resultCacheKey('indexer', '1', { file: 'b.ts', options: { depth: 2, all: true } }),
      resultCacheKey('indexer', '1', { file: 'a.ts', options: { depth: 3, all: true } }),
    ];
    expect(new Set([key, ...others]).size).toBe(5);
  });

  it('writes canonical JSON', () => {
    expect(canonicalJson({ b: [{ d: 1, c: undefined, a: null }], a: 'x' })).toBe(
      '{"a":"x","b":[{"a":null,"d":1}]}',
    );
    expect(canonicalJson(undefined)).toBe('null');
  });
});

describe('TypeVersions', () => {
  let agents: Agent[];
  let listings: number;
  let clock: number;
  const versions = () =>
    new TypeVersions(
      {
        listAgents: async () => {
          listings += 1;
          return structuredClone(agents);
        },
      },
      1_000,
      () => clock,
    );

  beforeEach(() => {
    listings = 0;
    clock = 0;
  });

  it('answers the version every healthy agent of the type advertises, ignoring others', async () => {
    agents = [
      agent('a'),
      agent('b'),
      agent('c', { status: 'unhealthy', typeVersions: { indexer: '0.9.0' } }),
      agent('d', { taskTypes: ['reviewer'], typeVersions: { reviewer: '3' } }),
    ];
    const subject = versions();
    await expect(subject.versionOf('indexer')).resolves.toBe('1.0.0');
    await expect(subject.versionOf('reviewer')).resolves.toBe('3');
    await expect(subject.versionOf('unknown')).resolves.toBeUndefined();
  });

  it('answers no version while agents disagree or one advertises none', async () => {
    agents = [agent('a'), agent('b', { typeVersions: { indexer: '2.0.0' } })];
    await expect(versions().versionOf('indexer')).resolves.toBeUndefined();
    agents = [agent('a'), agent('b', { typeVersions: {} })];
    await expect(versions().versionOf('indexer')).resolves.toBeUndefined();
  });

  it('reuses one listing for the TTL and sees an upgrade after it', async () => {
    agents = [agent('a')];
    const subject = versions();
    await subject.versionOf('indexer');
    agents = [agent('a', { typeVersions: { indexer: '2.0.0' } })];
    clock = 999;
    await expect(subject.versionOf('indexer')).resolves.toBe('1.0.0');
    expect(listings).toBe(1);
    clock = 1_000;
    await expect(subject.versionOf('indexer')).resolves.toBe('2.0.0');
    expect(listings).toBe(2);
  });

  it('answers no version when the registry fails, and asks again next time', async () => {
    let fail = true;
    const subject = new TypeVersions(
      {
        listAgents: async () => {
          if (fail) throw new Error('registry down');
          return [agent('a')];
        },
      },
      1_000,
      () => 0,
    );
    await expect(subject.versionOf('indexer')).resolves.toBeUndefined();
    fail = false;
    await expect(subject.versionOf('indexer')).resolves.toBe('1.0.0');
  });
});
