import { contextForgeCluster, type ContextForgeClusterOptions } from './contextforge-cluster';

const base: ContextForgeClusterOptions = {
  rootDir: '/repo',
  kafkaBrokers: ['127.0.0.1:9092'],
  consulAddress: '127.0.0.1:8500',
  databaseUrl: 'postgres://postgres@127.0.0.1:5432/cf_test',
  jwtSecret: 'a-test-secret-of-at-least-32-characters',
  ports: {
    gateway: 8080,
    registry: 8082,
    scheduler: 8083,
    resultStore: 8084,
    grpc: 9090,
    agents: [8101, 8102],
  },
};

const specs = (options: ContextForgeClusterOptions) => contextForgeCluster(options).stages.flat();
const schedulers = (options: ContextForgeClusterOptions) =>
  specs(options)
    .filter((spec) => spec.name.startsWith('scheduler'))
    .map((spec) => ({
      name: spec.name,
      port: spec.env?.['CONTEXTFORGE__SCHEDULER__PORT'],
      readyUrl: spec.readyUrl,
      databaseUrl: spec.env?.['DATABASE_URL'],
    }));

describe('contextForgeCluster', () => {
  it('starts one scheduler, scheduler-1, by default', () => {
    expect(schedulers(base)).toEqual([
      {
        name: 'scheduler-1',
        port: '8083',
        readyUrl: 'http://127.0.0.1:8083/readyz',
        databaseUrl: base.databaseUrl,
      },
    ]);
    expect(contextForgeCluster(base).schedulerUrls).toEqual({ 'scheduler-1': 'http://127.0.0.1:8083' });
  });

  it('counts replica ports up from a base port, skipping the ports of the other processes', () => {
    const layout = contextForgeCluster({ ...base, schedulerReplicas: 3 });
    expect(layout.schedulerUrls).toEqual({
      'scheduler-1': 'http://127.0.0.1:8083',
      'scheduler-2': 'http://127.0.0.1:8085',
      'scheduler-3': 'http://127.0.0.1:8086',
    });
    // Each replica its own process and port, all on the result-store's database.
    expect(
      schedulers({ ...base, schedulerReplicas: 3 }).map(({ port, databaseUrl }) => [port, databaseUrl]),
    ).toEqual([
      ['8083', base.databaseUrl],
      ['8085', base.databaseUrl],
      ['8086', base.databaseUrl],
    ]);
  });

  it('takes one port per replica from a list', () => {
    const ports = { ...base.ports, scheduler: [9001, 9005] };
    expect(schedulers({ ...base, ports }).map(({ name, port }) => [name, port])).toEqual([
      ['scheduler-1', '9001'],
      ['scheduler-2', '9005'],
    ]);
    expect(() => contextForgeCluster({ ...base, ports, schedulerReplicas: 3 })).toThrow(
      '2 scheduler ports for 3 scheduler replicas',
    );
    expect(() => contextForgeCluster({ ...base, schedulerReplicas: 0 })).toThrow(
      'expected a whole number >= 1',
    );
  });

  it('starts the schedulers with the gateway, after the registry and result-store, before the agents', () => {
    const stages = contextForgeCluster({ ...base, schedulerReplicas: 2 }).stages.map((stage) =>
      stage.map((spec) => spec.name),
    );
    expect(stages).toEqual([
      ['registry', 'result-store'],
      ['scheduler-1', 'scheduler-2', 'gateway'],
      ['agent-1', 'agent-2'],
    ]);
    const names = stages.flat();
    expect(new Set(names).size).toBe(names.length);
  });
});
