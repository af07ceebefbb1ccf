import { applyEnvOverrides } from './env-overrides';

describe('applyEnvOverrides', () => {
  it('maps the well-known variables to their keys', () => {
    const { tree, issues } = applyEnvOverrides(
      {},
      {
        PORT: '9090',
        DATABASE_URL: 'postgres://u@db:5432/app',
        KAFKA_BROKERS: 'k1:9092, k2:9092',
        CONSUL_HTTP_ADDR: 'consul.internal:8500',
        CONSUL_HTTP_TOKEN: 'tok',
        LOG_LEVEL: 'DEBUG',
        JWT_SECRET: 's'.repeat(40),
      },
    );
    expect(issues).toEqual([]);
    expect(tree).toEqual({
      coordinator: { port: 9090, queue: { url: 'kafka://k1:9092,k2:9092', type: 'kafka' } },
      database: { url: 'postgres://u@db:5432/app' },
      registry: { url: 'consul://consul.internal:8500', acl_token: 'tok' },
      logging: { level: 'debug' },
      security: { authentication: { secret_key: 's'.repeat(40) } },
    });
  });

  it.each([
    ['http://c:8500', 'consul://c:8500'],
    ['HTTPS://c:8501', 'consul+https://c:8501'],
    ['127.0.0.1:8500', 'consul://127.0.0.1:8500'],
  ])('turns CONSUL_HTTP_ADDR=%s into %s', (address, url) => {
    expect(applyEnvOverrides({}, { CONSUL_HTTP_ADDR: address }).tree).toEqual({ registry: { url } });
  });

  it('maps CONTEXTFORGE__A__B_C to a.b_c and reads values as YAML scalars', () => {
    const { tree } = applyEnvOverrides(
      { coordinator: { host: 'h', load_balancing: { timeout: '1s' } } },
      {
        CONTEXTFORGE__COORDINATOR__LOAD_BALANCING__STRATEGY: 'weighted',
        CONTEXTFORGE__COORDINATOR__QUEUE__PREFETCH_COUNT: '50',
        CONTEXTFORGE__NETWORK__TLS__ENABLED: 'true',
        CONTEXTFORGE__AGENT__CAPABILITIES: '[go, rust]',
        CONTEXTFORGE__AGENT__NAME: 'Agent: one',
      },
    );
    expect(tree).toEqual({
      coordinator: {
        host: 'h',
        load_balancing: { timeout: '1s', strategy: 'weighted' },
        queue: { prefetch_count: 50 },
      },
      network: { tls: { enabled: true } },
      agent: { capabilities: ['go', 'rust'], name: 'Agent: one' },
    });
  });

  it('lets CONTEXTFORGE__ variables win over the well-known ones, and both over the file', () => {
    const { tree, sources } = applyEnvOverrides(
      { coordinator: { port: 1 } },
      { PORT: '2', CONTEXTFORGE__COORDINATOR__PORT: '3' },
    );
    expect(tree).toEqual({ coordinator: { port: 3 } });
    expect(sources.get('coordinator.port')).toBe('CONTEXTFORGE__COORDINATOR__PORT');
  });

  it('ignores empty and unset variables', () => {
    const { tree } = applyEnvOverrides(
      { a: 1 },
      { PORT: '', LOG_LEVEL: undefined, CONTEXTFORGE__X__Y: '  ' },
    );
    expect(tree).toEqual({ a: 1 });
  });

  it('does not modify the tree it is given', () => {
    const input = { coordinator: { port: 1 } };
    applyEnvOverrides(input, { PORT: '2' });
    expect(input).toEqual({ coordinator: { port: 1 } });
  });

  it('reports a variable with an empty segment and a path through a non-mapping', () => {
    const { issues } = applyEnvOverrides({ coordinator: 5 }, { CONTEXTFORGE__A____B: '1', PORT: '80' });
    expect(issues).toEqual([
      { path: 'coordinator', message: 'cannot apply PORT: coordinator is not a mapping' },
      {
        path: '',
        message:
          'environment variable CONTEXTFORGE__A____B: expected CONTEXTFORGE__SECTION__KEY with no empty segment',
      },
    ]);
  });
});
