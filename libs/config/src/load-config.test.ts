import { AppError } from '@contextforge/contracts';
import { ConfigError } from './config-error';
import { loadConfig } from './load-config';

const SECRET = 'x'.repeat(32);

/** The message of the ConfigError that `run` throws (fails the test if it does not throw one). */
function configErrorOf(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig defaults', () => {
  it('gives the documented defaults without a file or env', () => {
    const config = loadConfig({ env: {} });
    expect(config.coordinator).toEqual({
      port: 8080,
      host: '0.0.0.0',
      grpc: { enabled: true, port: 9090 },
      agents: {
        healthCheckInterval: 5_000,
        healthCheckTimeout: 3_000,
        maxFailures: 3,
        heartbeatTimeout: 30_000,
      },
      loadBalancing: { strategy: 'round_robin', timeout: 30_000 },
      queue: {
        type: 'memory',
        url: 'memory://',
        prefetchCount: 10,
        topicPrefix: 'contextforge',
        fetchMaxWait: 100,
        linger: 5,
        partitions: 4,
        replicationFactor: 1,
        createTopics: true,
        idempotent: true,
        maxMessageBytes: 1_000_000,
      },
      fallback: 'none',
      retry: { maxAttempts: 3, initialDelay: 200, maxDelay: 30_000 },
    });
    expect(config.agent).toEqual({
      type: 'general',
      capabilities: [],
      taskTypes: ['echo', 'sleep'],
      resources: {},
      weight: 1,
      concurrency: 10,
      port: 8001,
      registry: { url: 'memory://', heartbeatInterval: 5_000, ttl: 30_000, deregisterCriticalAfter: 600_000 },
      drainTimeout: 30_000,
    });
    expect(config.registry).toEqual({
      url: 'memory://',
      serviceName: 'contextforge-agent',
      port: 8082,
      apiUrl: 'http://127.0.0.1:8082',
    });
    expect(config.database).toEqual({ url: 'pglite://memory', poolMax: 10 });
    expect(config.scheduler).toEqual({ port: 8083 });
    expect(config.resultStore).toEqual({ port: 8084, url: 'http://127.0.0.1:8084' });
    expect(config.payloads).toEqual({ inlineLimit: 65_536 });
    expect(config.embedded).toEqual({ agents: 4 });
    expect(config.network).toMatchObject({
      tls: { enabled: false, requireClientCert: false, pinnedPublicKeys: [], reloadInterval: 5_000 },
      rateLimiting: {
        perIp: { limit: 100, windowMs: 60_000 },
        perAgent: { limit: 1000, windowMs: 60_000 },
        perClient: { limit: 600, windowMs: 60_000 },
      },
      bodyLimit: 100_000_000,
    });
    expect(config.logging).toEqual({ level: 'info' });
  });

  it('treats an empty file, a key without a value and an empty section like absent ones', () => {
    expect(loadConfig({ yamlText: '', env: {} })).toEqual(loadConfig({ env: {} }));
    expect(loadConfig({ yamlText: '# only a comment\n', env: {} })).toEqual(loadConfig({ env: {} }));
    const config = loadConfig({ yamlText: 'coordinator:\n  port:\nnetwork:\n', env: {} });
    expect(config.coordinator.port).toBe(8080);
    expect(config.network.bodyLimit).toBe(100_000_000);
  });

  it('returns a deeply frozen object', () => {
    const config = loadConfig({ env: {} });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.coordinator.queue)).toBe(true);
    expect(Object.isFrozen(config.agent.taskTypes)).toBe(true);
    expect(Object.isFrozen(config.network.rateLimiting.perIp)).toBe(true);
  });
});

describe('loadConfig with the seed configuration', () => {
  const seed = `
agent:
  id: "agent-1"
  name: "Code Analysis Agent"
  type: "code-analyzer"
  capabilities:
    - python
    - javascript
    - typescript
  resources:
    cpu: "4"
    memory: "8Gi"
    disk: "100Gi"
  endpoint: "http://agent-1.internal:8001"
  registry:
    url: "consul://consul.internal:8500"
    heartbeat_interval: 5s
coordinator:
  port: 8080
  agents:
    health_check_interval: 5s
    health_check_timeout: 3s
    max_failures: 3
  load_balancing:
    strategy: "least_connections"
    timeout: 30s
  queue:
    type: "kafka"
    url: "kafka://kafka.internal:9092"
    prefetch_count: 10
network:
  tls:
    enabled: true
    cert_path: "/etc/certs/coordinator.crt"
    key_path: "/etc/certs/coordinator.key"
    ca_path: "/etc/certs/ca.crt"
  rate_limiting:
    per_ip: "100/min"
    per_agent: "1000/min"
security:
  authentication:
    type: "jwt"
    secret_key: "\${JWT_SECRET}"
    expiration: "24h"
`;

  it('keeps every seed key working, converted to typed values', () => {
    const config = loadConfig({ yamlText: seed, env: { JWT_SECRET: SECRET } });
    expect(config.agent).toMatchObject({
      id: 'agent-1',
      name: 'Code Analysis Agent',
      type: 'code-analyzer',
      capabilities: ['python', 'javascript', 'typescript'],
      resources: { cpu: '4', memory: '8Gi', disk: '100Gi' },
      endpoint: 'http://agent-1.internal:8001',
      registry: { url: 'consul://consul.internal:8500', heartbeatInterval: 5_000 },
    });
    expect(config.coordinator.loadBalancing).toEqual({ strategy: 'least_connections', timeout: 30_000 });
    expect(config.coordinator.queue).toMatchObject({
      type: 'kafka',
      url: 'kafka://kafka.internal:9092',
      prefetchCount: 10,
    });
    expect(config.network.tls).toEqual({
      enabled: true,
      certPath: '/etc/certs/coordinator.crt',
      keyPath: '/etc/certs/coordinator.key',
      requireClientCert: false,
      pinnedPublicKeys: [],
      reloadInterval: 5000,
      caPath: '/etc/certs/ca.crt',
    });
    expect(config.security.authentication).toMatchObject({
      type: 'jwt',
      algorithm: 'HS256',
      secretKey: SECRET,
      expiration: 86_400_000,
    });
  });

  it('fails naming the key and the variable when JWT_SECRET is not set', () => {
    const error = configErrorOf(() => loadConfig({ yamlText: seed, env: {} }));
    expect(error.message).toBe(
      'config: security.authentication.secret_key: environment variable JWT_SECRET is not set (write ${JWT_SECRET:-default} to give a default)',
    );
  });
});

describe('loadConfig validation errors', () => {
  it('names the key, what was expected and what was found', () => {
    const error = configErrorOf(() => loadConfig({ yamlText: 'coordinator:\n  port: abc\n', env: {} }));
    expect(error.message).toBe('config: coordinator.port: expected an integer 0-65535, got "abc"');
    expect(error).toBeInstanceOf(AppError);
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.retryable).toBe(false);
    expect(error.issues).toEqual([
      { path: 'coordinator.port', message: 'expected an integer 0-65535, got "abc"' },
    ]);
    expect(error.details).toEqual({ issues: error.issues });
  });

  it('says which variable an overridden bad value came from', () => {
    const error = configErrorOf(() => loadConfig({ env: { PORT: 'abc' } }));
    expect(error.message).toBe(
      'config: coordinator.port: expected an integer 0-65535, got "abc" (from env PORT)',
    );
  });

  it('collects every issue, one line each', () => {
    const yamlText = `
coordinator:
  port: 70000
  qeue: {}
  load_balancing: { strategy: random, timeout: soon }
agent:
  capabilities: [python, "no spaces"]
network:
  body_limit: lots
  rate_limiting: { per_ip: "100 per minute" }
`;
    const error = configErrorOf(() => loadConfig({ yamlText, env: {} }));
    expect(error.message.split('\n')).toEqual([
      'config: agent.capabilities[1]: expected a name of letters, digits and . _ : -, got "no spaces"',
      'config: coordinator.port: expected an integer 0-65535, got 70000',
      'config: coordinator.load_balancing.strategy: expected one of round_robin, least_connections, weighted, got "random"',
      'config: coordinator.load_balancing.timeout: expected a duration such as 500ms, 5s, 10m, 24h or a number of milliseconds, got "soon"',
      'config: coordinator.qeue: unknown key (did you mean "queue"?); expected one of port, host, grpc, agents, load_balancing, queue, fallback, retry',
      'config: network.rate_limiting.per_ip: expected a rate such as 100/min, 10/s or 500/30s, got "100 per minute"',
      'config: network.body_limit: expected a size such as 512KB, 100MB, 1GiB or a number of bytes, got "lots"',
    ]);
  });

  it('reads payloads.inline_limit as bytes, within 1KiB-256KiB', () => {
    expect(loadConfig({ yamlText: 'payloads:\n  inline_limit: 100KB\n', env: {} }).payloads).toEqual({
      inlineLimit: 100_000,
    });
    expect(
      loadConfig({ yamlText: '', env: { CONTEXTFORGE__PAYLOADS__INLINE_LIMIT: '2048' } }).payloads
        .inlineLimit,
    ).toBe(2048);
    const error = configErrorOf(() => loadConfig({ yamlText: 'payloads:\n  inline_limit: 1MB\n', env: {} }));
    expect(error.message).toBe(
      'config: payloads.inline_limit: expected a size from 1KiB to 256KiB such as 64KiB, or a number of bytes, got "1MB"',
    );
  });

  it('rejects unknown keys at every level, including unknown sections', () => {
    const error = configErrorOf(() =>
      loadConfig({ yamlText: 'agent:\n  registry:\n    heartbeat_intervl: 5s\nqueue: {}\n', env: {} }),
    );
    expect(error.issues.map((issue) => issue.path)).toEqual(['agent.registry.heartbeat_intervl', 'queue']);
    expect(error.issues[0]?.message).toMatch(/^unknown key \(did you mean "heartbeat_interval"\?\)/);
  });

  it('rejects a section that is not a mapping', () => {
    const error = configErrorOf(() => loadConfig({ yamlText: 'logging: [info]\n', env: {} }));
    expect(error.message).toBe('config: logging: expected a mapping, got a list');
  });

  it('never echoes secrets', () => {
    const error = configErrorOf(() =>
      loadConfig({ yamlText: 'security:\n  authentication:\n    secret_key: hunter2\n', env: {} }),
    );
    expect(error.message).toBe(
      'config: security.authentication.secret_key: expected a secret of at least 32 characters, got a string of 7 characters',
    );
  });

  it('requires cert_path and key_path when TLS is enabled', () => {
    const error = configErrorOf(() =>
      loadConfig({ yamlText: 'network:\n  tls:\n    enabled: true\n', env: {} }),
    );
    expect(error.message.split('\n')).toEqual([
      'config: network.tls.cert_path: is required when tls.enabled is true',
      'config: network.tls.key_path: is required when tls.enabled is true',
    ]);
  });

  it('requires the queue type to match the queue URL', () => {
    const error = configErrorOf(() =>
      loadConfig({ yamlText: 'coordinator:\n  queue: { type: memory, url: "kafka://k:9092" }\n', env: {} }),
    );
    expect(error.message).toBe(
      'config: coordinator.queue.type: expected "kafka" to match queue.url kafka://k:9092, got "memory"',
    );
  });

  it('names the queue key and the bounds of a message size out of range', () => {
    const error = configErrorOf(() =>
      loadConfig({ yamlText: 'coordinator:\n  queue: { max_message_bytes: 512 }\n', env: {} }),
    );
    expect(error.message).toBe(
      'config: coordinator.queue.max_message_bytes: expected a size of 1KiB-100MB such as 1MB, 512KiB or a number of bytes, got 512',
    );
  });

  it('requires retry.initial_delay to be at most retry.max_delay', () => {
    const error = configErrorOf(() =>
      loadConfig({ yamlText: 'coordinator:\n  retry: { initial_delay: 1m, max_delay: 1s }\n', env: {} }),
    );
    expect(error.message).toBe(
      'config: coordinator.retry.initial_delay: expected at most retry.max_delay (1000 ms), got 60000 ms',
    );
  });

  it.each([
    ['coordinator:\n  queue: { url: "kafka://" }\n', 'coordinator.queue.url'],
    ['coordinator:\n  queue: { url: "kafka://a:9092,b" }\n', 'coordinator.queue.url'],
    ['coordinator:\n  queue: { url: "amqp://rabbit:5672" }\n', 'coordinator.queue.url'],
    ['registry:\n  url: "consul://"\n', 'registry.url'],
    ['registry:\n  url: "etcd://e:2379"\n', 'registry.url'],
    ['database:\n  url: "mysql://db"\n', 'database.url'],
    ['agent:\n  endpoint: "memory://x"\n', 'agent.endpoint'],
    ['agent:\n  id: "has space"\n', 'agent.id'],
    ['coordinator:\n  queue: { topic_prefix: "a/b" }\n', 'coordinator.queue.topic_prefix'],
    ['coordinator:\n  queue: { partitions: 0 }\n', 'coordinator.queue.partitions'],
    ['coordinator:\n  queue: { replication_factor: three }\n', 'coordinator.queue.replication_factor'],
    ['coordinator:\n  queue: { create_topics: yes }\n', 'coordinator.queue.create_topics'],
    ['coordinator:\n  queue: { idempotent: 1 }\n', 'coordinator.queue.idempotent'],
    ['coordinator:\n  queue: { max_message_bytes: 1GB }\n', 'coordinator.queue.max_message_bytes'],
    ['embedded:\n  agents: -1\n', 'embedded.agents'],
    ['agent:\n  weight: 1.5\n', 'agent.weight'],
    ['network:\n  tls: { enabled: yes }\n', 'network.tls.enabled'],
    ['logging:\n  level: verbose\n', 'logging.level'],
  ])('rejects %p at %s', (yamlText, path) => {
    expect(configErrorOf(() => loadConfig({ yamlText, env: {} })).issues.map((issue) => issue.path)).toEqual([
      path,
    ]);
  });

  it('reports YAML syntax errors with the source name and position', () => {
    const error = configErrorOf(() =>
      loadConfig({ yamlText: 'a: 1\na: 2\n', env: {}, sourceName: '/etc/cf.yaml' }),
    );
    expect(error.message).toMatch(
      /^config: \/etc\/cf\.yaml: invalid YAML: Map keys must be unique at line 2, column 1$/,
    );
  });

  it('rejects a document that is not a mapping', () => {
    const error = configErrorOf(() => loadConfig({ yamlText: '- a\n- b\n', env: {} }));
    expect(error.message).toBe(
      'config: expected a mapping of sections (agent, coordinator, ...), got a list',
    );
  });
});

describe('loadConfig value forms', () => {
  it('accepts numbers and booleans written as strings (as ${VAR} expansion produces them)', () => {
    const config = loadConfig({
      yamlText:
        'coordinator:\n  port: ${P}\nnetwork:\n  tls: { enabled: "${TLS:-false}" }\nagent:\n  drain_timeout: "1500"\n',
      env: { P: '9000' },
    });
    expect(config.coordinator.port).toBe(9000);
    expect(config.network.tls.enabled).toBe(false);
    expect(config.agent.drainTimeout).toBe(1500);
  });

  it('accepts "round-robin", upper-case log levels and comma-separated lists', () => {
    const config = loadConfig({
      yamlText:
        'coordinator:\n  load_balancing: { strategy: Round-Robin }\nlogging: { level: WARN }\nagent: { capabilities: "go, rust" }\n',
      env: {},
    });
    expect(config.coordinator.loadBalancing.strategy).toBe('round_robin');
    expect(config.logging.level).toBe('warn');
    expect(config.agent.capabilities).toEqual(['go', 'rust']);
  });

  it('turns numeric resources into strings, as the agent registration expects', () => {
    const config = loadConfig({ yamlText: 'agent:\n  resources: { cpu: 4 }\n', env: {} });
    expect(config.agent.resources).toEqual({ cpu: '4' });
  });

  it('leaves an optional key unset when its ${VAR:-} expands to nothing', () => {
    const yamlText = 'registry:\n  acl_token: "${CONSUL_TOKEN:-}"\n';
    expect(loadConfig({ yamlText, env: {} }).registry.aclToken).toBeUndefined();
    expect(loadConfig({ yamlText, env: { CONSUL_TOKEN: 't' } }).registry.aclToken).toBe('t');
  });
});

describe('loadConfig environment overrides', () => {
  it('applies the documented variables over the file', () => {
    const config = loadConfig({
      yamlText: 'coordinator:\n  port: 1234\n  queue: { url: "memory://" }\nlogging: { level: info }\n',
      env: {
        PORT: '9999',
        DATABASE_URL: 'postgres://cf@db:5432/cf',
        KAFKA_BROKERS: 'k1:9092,k2:9092',
        CONSUL_HTTP_ADDR: 'https://consul:8501',
        CONSUL_HTTP_TOKEN: 'token-1',
        LOG_LEVEL: 'debug',
        CONTEXTFORGE__COORDINATOR__LOAD_BALANCING__STRATEGY: 'weighted',
        CONTEXTFORGE__EMBEDDED__AGENTS: '2',
      },
    });
    expect(config.coordinator.port).toBe(9999);
    expect(config.database.url).toBe('postgres://cf@db:5432/cf');
    expect(config.coordinator.queue).toMatchObject({ type: 'kafka', url: 'kafka://k1:9092,k2:9092' });
    expect(config.registry).toMatchObject({ url: 'consul+https://consul:8501', aclToken: 'token-1' });
    expect(config.logging.level).toBe('debug');
    expect(config.coordinator.loadBalancing.strategy).toBe('weighted');
    expect(config.embedded.agents).toBe(2);
  });

  it('sets the Kafka topic and producer keys from CONTEXTFORGE__COORDINATOR__QUEUE__* variables', () => {
    const config = loadConfig({
      yamlText: 'coordinator:\n  queue: { url: "kafka://k:9092", partitions: 8 }\n',
      env: {
        CONTEXTFORGE__COORDINATOR__QUEUE__PARTITIONS: '12',
        CONTEXTFORGE__COORDINATOR__QUEUE__REPLICATION_FACTOR: '3',
        CONTEXTFORGE__COORDINATOR__QUEUE__CREATE_TOPICS: 'false',
        CONTEXTFORGE__COORDINATOR__QUEUE__IDEMPOTENT: 'false',
        CONTEXTFORGE__COORDINATOR__QUEUE__MAX_MESSAGE_BYTES: '4MiB',
      },
    });
    expect(config.coordinator.queue).toMatchObject({
      partitions: 12,
      replicationFactor: 3,
      createTopics: false,
      idempotent: false,
      maxMessageBytes: 4 * 1024 * 1024,
    });
    const error = configErrorOf(() =>
      loadConfig({ env: { CONTEXTFORGE__COORDINATOR__QUEUE__REPLICATION_FACTOR: '0' } }),
    );
    expect(error.message).toBe(
      'config: coordinator.queue.replication_factor: expected an integer 1-32, got 0 (from env CONTEXTFORGE__COORDINATOR__QUEUE__REPLICATION_FACTOR)',
    );
  });

  it('makes a typo in a CONTEXTFORGE__ variable an error naming the variable', () => {
    const error = configErrorOf(() => loadConfig({ env: { CONTEXTFORGE__COORDINATOR__PROT: '1' } }));
    expect(error.message).toBe(
      'config: coordinator.prot: unknown key (did you mean "port"?); expected one of port, host, grpc, agents, load_balancing, queue, fallback, retry (from env CONTEXTFORGE__COORDINATOR__PROT)',
    );
  });

  it('does not expand ${VAR} inside override values', () => {
    const config = loadConfig({ env: { CONTEXTFORGE__AGENT__NAME: '${X}' } });
    expect(config.agent.name).toBe('${X}');
  });
});

describe('loadConfig derived defaults', () => {
  it('registers agents with the top-level registry unless agent.registry.url is set', () => {
    expect(loadConfig({ env: { CONSUL_HTTP_ADDR: 'c:8500' } }).agent.registry.url).toBe('consul://c:8500');
    const own = loadConfig({
      yamlText: 'agent:\n  registry: { url: "consul://other:8500" }\n',
      env: { CONSUL_HTTP_ADDR: 'c:8500' },
    });
    expect(own.agent.registry.url).toBe('consul://other:8500');
  });

  it('derives the queue type from the URL and the result-store URL from its port', () => {
    const config = loadConfig({
      yamlText: 'coordinator:\n  queue: { url: "kafka://k:9092" }\nresult_store: { port: 9100 }\n',
      env: {},
    });
    expect(config.coordinator.queue.type).toBe('kafka');
    expect(config.resultStore.url).toBe('http://127.0.0.1:9100');
  });
});

describe('loadConfig security and edge keys', () => {
  const SECRET = 'x'.repeat(40);

  it('defaults the JWT checks, edge limits and development credentials', () => {
    const config = loadConfig({ env: {} });
    expect(config.security).toEqual({
      authentication: {
        type: 'jwt',
        algorithm: 'HS256',
        issuer: 'contextforge',
        audience: 'contextforge-api',
        clockTolerance: 30_000,
        expiration: 86_400_000,
      },
      devCredentials: true,
      credentialsFile: '.contextforge/credentials.json',
    });
    expect(config.network.rateLimiting).toMatchObject({ store: 'memory://', trustedProxies: 0 });
    expect(config.network.limits).toEqual({
      headersTimeout: 10_000,
      requestTimeout: 300_000,
      keepAliveTimeout: 5_000,
      maxHeaderSize: 16_384,
      maxConnections: 10_000,
      maxConnectionsPerIp: 256,
    });
  });

  it.each([
    [
      'security:\n  authentication:\n    clock_tolerance: 2m\n',
      'config: security.authentication.clock_tolerance: expected at most 60s, got 120000 ms',
    ],
    [
      `security:\n  authentication:\n    algorithm: RS256\n    secret_key: ${SECRET}\n`,
      'config: security.authentication.secret_key: is for HS algorithms; RS256 needs public_key_path or jwks_url',
    ],
    [
      'security:\n  authentication:\n    jwks_url: https://auth.example.com/jwks\n',
      'config: security.authentication.algorithm: HS256 verifies with secret_key; public_key_path and jwks_url are for RS/PS/ES/EdDSA',
    ],
    [
      'security:\n  authentication:\n    algorithm: none\n',
      'config: security.authentication.algorithm: expected one of HS256, HS384, HS512, RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, ES512, EdDSA, got "none"',
    ],
    [
      'network:\n  tls:\n    require_client_cert: true\n',
      'config: network.tls.ca_path: is required when tls.require_client_cert is true',
    ],
    [
      'network:\n  tls:\n    pinned_public_keys: [abc]\n',
      'config: network.tls.pinned_public_keys[0]: expected a base64 SHA-256 digest of a public key (sha256/<44 characters>), got "abc"',
    ],
    [
      'network:\n  rate_limiting:\n    store: redis://localhost\n',
      'config: network.rate_limiting.store: expected memory:// or postgres://..., got "redis://localhost"',
    ],
  ])('rejects %j', (yamlText, message) => {
    expect(configErrorOf(() => loadConfig({ yamlText, env: {} })).message).toBe(message);
  });

  it('strips the sha256/ prefix of public key pins', () => {
    const pin = `${'A'.repeat(43)}=`;
    const config = loadConfig({
      yamlText: `network:\n  tls:\n    pinned_public_keys: [sha256/${pin}]\n`,
      env: {},
    });
    expect(config.network.tls.pinnedPublicKeys).toEqual([pin]);
  });
});
