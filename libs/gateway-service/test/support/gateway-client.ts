import type { Agent, ApiKeyStore, RegistryApi, ResultStoreApi } from '@contextforge/contracts';
import { createSilentLogger } from '@contextforge/observability';
import { Gateway, type GatewayOptions } from '../../src/gateway';
import { createGatewayOperations, type GatewayOperationsDeps } from '../../src/gateway-operations';
import { FakeRegistry, FakeResultStore } from './fake-apis';
import { FakeApiKeyStore, FakeAuthenticator, type TestToken } from '@contextforge/testing';

export const AGENTS: Agent[] = [
  {
    id: 'agent-b',
    name: 'Agent B',
    type: 'code-analyzer',
    taskTypes: ['analyze.file'],
    capabilities: ['python'],
    resources: {},
    endpoint: 'http://agent-b.internal:8001',
    weight: 1,
    concurrency: 4,
    version: '1.0.0',
    status: 'draining',
    circuit: 'closed',
    lastHeartbeatAgeMs: 1200,
    statusNote: 'draining',
  },
  {
    id: 'agent-a',
    name: 'Agent A',
    type: 'code-analyzer',
    taskTypes: ['analyze.file', 'review.diff'],
    capabilities: ['typescript'],
    resources: { cpu: '4' },
    endpoint: 'http://agent-a.internal:8001',
    weight: 3,
    concurrency: 10,
    version: '1.0.0',
    status: 'healthy',
    circuit: 'closed',
    lastHeartbeatAgeMs: 800,
  },
];

export interface ErrorResponseBody {
  error: { code: string; message: string; details?: Record<string, unknown> };
}

export interface GatewayClientOptions
  extends
    Partial<Omit<GatewayOptions, 'operations'>>,
    Partial<Pick<GatewayOperationsDeps, 'limitTasks' | 'onApiKeyRevoked'>> {
  resultStore?: ResultStoreApi;
  registry?: RegistryApi;
  apiKeys?: ApiKeyStore;
}

interface Shared {
  gateway: Gateway;
  baseUrl: string;
  resultStore: FakeResultStore;
  registry: FakeRegistry;
  apiKeys: FakeApiKeyStore;
  authenticator: FakeAuthenticator;
}

/**
 * A gateway listening on an ephemeral port of 127.0.0.1, over in-memory fakes unless overridden,
 * with the FakeAuthenticator. Requests carry `Authorization: Bearer <token>` of the client's
 * token (client-a unless `as(...)` chose another; `as(undefined)` sends none).
 */
export class GatewayClient {
  private constructor(
    private readonly shared: Shared,
    readonly token: TestToken | undefined,
  ) {}

  static async start(options: GatewayClientOptions = {}): Promise<GatewayClient> {
    const resultStore = new FakeResultStore();
    const registry = new FakeRegistry(AGENTS);
    const apiKeys = new FakeApiKeyStore();
    const authenticator = new FakeAuthenticator();
    const { resultStore: storeOverride, registry: registryOverride, apiKeys: keysOverride } = options;
    const { limitTasks, onApiKeyRevoked, ...gatewayOverrides } = options;
    const operations = createGatewayOperations({
      resultStore: storeOverride ?? resultStore,
      registry: registryOverride ?? registry,
      apiKeys: keysOverride ?? apiKeys,
      ...(limitTasks ? { limitTasks } : {}),
      ...(onApiKeyRevoked ? { onApiKeyRevoked } : {}),
    });
    const gateway = new Gateway({
      operations,
      authenticator,
      logger: createSilentLogger(),
      bodyLimitBytes: 64 * 1024,
      ...gatewayOverrides,
    });
    const port = await gateway.listen(0, '127.0.0.1');
    return new GatewayClient(
      { gateway, baseUrl: `http://127.0.0.1:${port}`, resultStore, registry, apiKeys, authenticator },
      'client-a',
    );
  }

  get baseUrl(): string {
    return this.shared.baseUrl;
  }
  get resultStore(): FakeResultStore {
    return this.shared.resultStore;
  }
  get registry(): FakeRegistry {
    return this.shared.registry;
  }
  get apiKeys(): FakeApiKeyStore {
    return this.shared.apiKeys;
  }
  get authenticator(): FakeAuthenticator {
    return this.shared.authenticator;
  }

  /** The same gateway, acting as another principal (or none). */
  as(token: TestToken | undefined): GatewayClient {
    return new GatewayClient(this.shared, token);
  }

  close(): Promise<void> {
    return this.shared.gateway.close();
  }

  request(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.token !== undefined && !headers.has('authorization')) {
      headers.set('authorization', `Bearer ${this.token}`);
    }
    return fetch(`${this.shared.baseUrl}${path}`, { ...init, headers });
  }

  get(path: string): Promise<Response> {
    return this.request(path);
  }

  delete(path: string): Promise<Response> {
    return this.request(path, { method: 'DELETE' });
  }

  /** POSTs `body` as is when it is a string, else as JSON; no body when undefined. */
  post(path: string, body?: unknown, contentType = 'application/json'): Promise<Response> {
    return this.request(path, {
      method: 'POST',
      ...(body === undefined
        ? {}
        : {
            headers: { 'content-type': contentType },
            body: typeof body === 'string' ? body : JSON.stringify(body),
          }),
    });
  }

  /** Submits through the API and returns the new task's id. */
  async submit(body: Record<string, unknown> = { type: 'analyze.file' }): Promise<string> {
    const response = await this.post('/tasks/submit', body);
    if (response.status !== 202)
      throw new Error(`submit answered ${response.status}: ${await response.text()}`);
    return ((await response.json()) as { taskId: string }).taskId;
  }
}

export async function errorOf(response: Response): Promise<ErrorResponseBody['error']> {
  return ((await response.json()) as ErrorResponseBody).error;
}
