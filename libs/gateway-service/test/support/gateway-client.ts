import type { Agent } from '@contextforge/contracts';
import { createSilentLogger } from '@contextforge/observability';
import { Gateway, type GatewayOptions } from '../../src/gateway';
import { FakeRegistry, FakeResultStore } from './fake-apis';

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

/** A gateway listening on an ephemeral port of 127.0.0.1, over in-memory fakes unless overridden. */
export class GatewayClient {
  private constructor(
    readonly gateway: Gateway,
    readonly baseUrl: string,
    readonly resultStore: FakeResultStore,
  ) {}

  static async start(overrides: Partial<GatewayOptions> = {}): Promise<GatewayClient> {
    const resultStore = new FakeResultStore();
    const gateway = new Gateway({
      resultStore,
      registry: new FakeRegistry(AGENTS),
      logger: createSilentLogger(),
      bodyLimitBytes: 64 * 1024,
      ...overrides,
    });
    const port = await gateway.listen(0, '127.0.0.1');
    return new GatewayClient(gateway, `http://127.0.0.1:${port}`, resultStore);
  }

  close(): Promise<void> {
    return this.gateway.close();
  }

  request(path: string, init: RequestInit = {}): Promise<Response> {
    return fetch(`${this.baseUrl}${path}`, init);
  }

  get(path: string): Promise<Response> {
    return this.request(path);
  }

  /** POSTs `body` as is when it is a string, else as JSON. */
  post(path: string, body: unknown, contentType = 'application/json'): Promise<Response> {
    return this.request(path, {
      method: 'POST',
      headers: { 'content-type': contentType },
      body: typeof body === 'string' ? body : JSON.stringify(body),
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
