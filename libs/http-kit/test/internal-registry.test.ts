import { AgentSchema, type Agent, type RegistryApi } from '@contextforge/contracts';
import { createSilentLogger } from '@contextforge/observability';
import { createServiceApp, HttpRegistryClient, registryRouter } from '../src';
import { serveApp, type ServedApp } from './support/serve-app';

/** A RegistryApi over a list, standing in for the registry service. */
class ListRegistry implements RegistryApi {
  constructor(readonly agents: Agent[]) {}
  async listAgents(): Promise<Agent[]> {
    return this.agents;
  }
  async getAgent(id: string): Promise<Agent | undefined> {
    return this.agents.find((agent) => agent.id === id);
  }
}

const agent = (id: string, status: Agent['status']): Agent =>
  AgentSchema.parse({
    id,
    name: id,
    type: 'code-analyzer',
    taskTypes: ['analyze.file'],
    capabilities: ['typescript'],
    endpoint: `http://${id}.internal:8001`,
    status,
    lastHeartbeatAgeMs: status === 'healthy' ? 120 : null,
  });

describe('registryRouter + HttpRegistryClient', () => {
  let served: ServedApp;
  let client: HttpRegistryClient;
  const registry = new ListRegistry([agent('agent-1', 'healthy'), agent('agent:2', 'draining')]);

  beforeEach(async () => {
    served = await serveApp(
      createServiceApp({ logger: createSilentLogger(), routers: [registryRouter(registry)] }),
    );
    client = new HttpRegistryClient(served.url);
  });
  afterEach(() => served.close());

  it('lists the agents', async () => {
    await expect(client.listAgents()).resolves.toEqual(registry.agents);
  });

  it('reads one agent by id, and an unknown id as undefined (AGENT_NOT_FOUND)', async () => {
    await expect(client.getAgent('agent:2')).resolves.toEqual(registry.agents[1]);
    await expect(client.getAgent('agent-404')).resolves.toBeUndefined();
    await expect(client.getAgent('../tasks')).resolves.toBeUndefined();
  });

  it('fails with SERVICE_UNAVAILABLE when the registry is not reachable', async () => {
    await served.close();
    await expect(client.listAgents()).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
  });
});
