import { createAuthenticator, type JwtVerifierOptions } from '@contextforge/auth';
import type { Config } from '@contextforge/config';
import {
  AppError,
  topicNames,
  type ApiKeyStore,
  type MessageBus,
  type Principal,
  type RegistryApi,
  type ResultStoreApi,
} from '@contextforge/contracts';
import {
  clientIp,
  createHardenedServer,
  createRateLimitStore,
  ipRateLimitKey,
  jsonBody,
  limitTasks,
  rateLimitByIp,
} from '@contextforge/edge';
import type { Logger, MetricsRegistry } from '@contextforge/observability';
import { TlsMaterial } from '@contextforge/tls';
import type { AddressInfo } from 'node:net';
import { createGatewayApp } from './gateway';
import { createGatewayOperations } from './gateway-operations';
import type { RepositoryJobSettings } from './jobs/repository-jobs';
import { createGrpcServer } from './grpc/grpc-service';
import { StreamHub } from './streams/stream-hub';
import { attachStreamServer } from './streams/stream-server';

export interface StartGatewayOptions {
  config: Config;
  resultStore: ResultStoreApi;
  registry: RegistryApi;
  apiKeys: ApiKeyStore;
  /** The bus the stream hub follows (task changes, agent status, breaker states). */
  bus: MessageBus;
  logger: Logger;
  /**
   * JWT settings to verify with instead of `config.security.authentication` (the embedded mode
   * passes the generated development secret here).
   */
  jwt?: JwtVerifierOptions;
  ready?: () => Promise<boolean>;
  /** The `version` of the OpenAPI document. */
  version?: string;
  /**
   * Repository uploads (POST /jobs/repository with a .tar.gz): the workspace directory the agents
   * share, and limits. maxArchiveBytes defaults to network.body_limit.
   */
  repositoryJobs?: Partial<RepositoryJobSettings>;
  /** Prometheus metrics: HTTP requests are counted and GET /metrics serves them (see GatewayOptions). */
  metrics?: MetricsRegistry;
}

export interface RunningGateway {
  /** http(s)://host:port of the REST and WebSocket API. */
  url: string;
  port: number;
  /** The gRPC port, when gRPC is enabled. */
  grpcPort?: number;
  close(): Promise<void>;
}

/**
 * The gateway as it runs in both modes: authentication (JWT clients, API-key agents), the per-IP
 * limit before everything, per-agent and per-client task limits, the body reader that limits
 * decompressed bytes, a server with slow-loris and connection limits (HTTPS with certificate
 * reload when TLS is on), WebSocket streams on the same port and gRPC on its own. Closes in the
 * reverse order of starting; a failure half-way closes what was started.
 */
export async function startGateway(options: StartGatewayOptions): Promise<RunningGateway> {
  const { config, logger } = options;
  const network = config.network;
  const stack: Array<() => Promise<void> | void> = [];
  const close = async () => {
    for (const step of stack.splice(0).reverse()) {
      await Promise.resolve(step()).catch((error: unknown) =>
        logger.error({ err: String(error) }, 'gateway shutdown step failed'),
      );
    }
  };
  try {
    const jwt = options.jwt ?? config.security.authentication;
    if (jwt.secretKey === undefined && jwt.publicKeyPath === undefined && jwt.jwksUrl === undefined) {
      throw new AppError(
        'CONFIG_INVALID',
        'security.authentication: no key to verify client tokens with; set secret_key (JWT_SECRET), public_key_path or jwks_url',
      );
    }
    const authenticator = await createAuthenticator({ jwt, apiKeys: options.apiKeys });

    const rateStore = await createRateLimitStore(network.rateLimiting.store);
    stack.push(() => rateStore.close());
    const perIp = rateLimitByIp({
      store: rateStore,
      rate: network.rateLimiting.perIp,
      trustedProxies: network.rateLimiting.trustedProxies,
    });
    const limitPrincipalTasks = async (principal: Principal, count: number) => {
      const agent = principal.kind === 'agent';
      await limitTasks(
        rateStore,
        `${agent ? 'agent' : 'client'}:${principal.id}`,
        count,
        agent ? network.rateLimiting.perAgent : network.rateLimiting.perClient,
      );
    };

    const operations = createGatewayOperations({
      resultStore: options.resultStore,
      registry: options.registry,
      apiKeys: options.apiKeys,
      limitTasks: limitPrincipalTasks,
      onApiKeyRevoked: (id) => authenticator.invalidate(id),
      repositoryJobs: { maxArchiveBytes: network.bodyLimit, ...options.repositoryJobs },
    });
    const hub = await StreamHub.create({
      bus: options.bus,
      topics: topicNames(config.coordinator.queue.topicPrefix),
      operations,
      logger: logger.child({ component: 'stream-hub' }),
    });
    stack.push(() => hub.close());

    const app = createGatewayApp({
      operations,
      authenticator,
      logger,
      bodyLimitBytes: network.bodyLimit,
      ...(options.ready ? { ready: options.ready } : {}),
      beforeRoutes: [perIp],
      jsonBody: jsonBody({ limitBytes: network.bodyLimit }),
      ...(options.version ? { openApi: { version: options.version } } : {}),
      ...(options.metrics ? { metrics: options.metrics } : {}),
    });

    const tls = network.tls.enabled ? await TlsMaterial.load(network.tls) : undefined;
    if (tls) stack.push(() => tls.close());
    const server = createHardenedServer(app, network.limits, tls);
    const streams = attachStreamServer(server, {
      hub,
      operations,
      authenticator,
      logger: logger.child({ component: 'streams' }),
      beforeUpgrade: async (req) => {
        const ip = clientIp(
          req.socket.remoteAddress,
          req.headers['x-forwarded-for'],
          network.rateLimiting.trustedProxies,
        );
        const decision = await rateStore.hit(`ip:${ipRateLimitKey(ip)}`, 1, network.rateLimiting.perIp);
        if (!decision.allowed) {
          throw new AppError('RATE_LIMITED', `too many requests from ${ip}`, {
            details: { retryAfterMs: decision.retryAfterMs },
          });
        }
      },
    });
    stack.push(() => streams.close());

    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.coordinator.port, config.coordinator.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    stack.push(
      () =>
        new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        }),
    );
    const port = (server.address() as AddressInfo).port;
    const host = config.coordinator.host === '0.0.0.0' ? '127.0.0.1' : config.coordinator.host;
    const url = `${tls ? 'https' : 'http'}://${host}:${port}`;

    let grpcPort: number | undefined;
    if (config.coordinator.grpc.enabled) {
      // The PEMs TlsMaterial loaded and checked at start (grpc-js cannot swap them later).
      const pem = tls?.pem();
      const credentials = pem
        ? {
            key: pem.key,
            cert: pem.cert,
            ...(pem.ca === undefined ? {} : { ca: pem.ca }),
            requireClientCert: network.tls.requireClientCert,
          }
        : undefined;
      const grpc = createGrpcServer({
        operations,
        authenticator,
        hub,
        logger: logger.child({ component: 'grpc' }),
        ...(credentials ? { credentials } : {}),
      });
      grpcPort = await grpc.listen(config.coordinator.grpc.port, config.coordinator.host);
      stack.push(() => grpc.close());
    }
    return { url, port, ...(grpcPort === undefined ? {} : { grpcPort }), close };
  } catch (error) {
    await close();
    throw error;
  }
}
