import {
  AgentSchema,
  AppError,
  type Agent,
  type AgentRegistration,
  type RegistryApi,
} from '@contextforge/contracts';
import { createSilentLogger } from '@contextforge/observability';
import { createServiceApp, HttpRegistryClient, registryRouter } from '../src';
import { serveApp, type ServedApp } from './support/serve-app';

/** A RegistryApi over a list, standing in for the registry service; counts heartbeats. */
class ListRegistry implements RegistryApi {
  readonly heartbeats: string[] = [];
  constructor(readonly agents: Agent[]) {}
  async listAgents(): Promise<Agent[]> {
    return this.agents;
  }
  async getAgent(id: string): Promise<Agent | undefined> {
    return this.agents.find((agent) => agent.id === id);
  }
  async register(registration: AgentRegistration): Promise<Agent> {
    const registered = AgentSchema.parse({ ...registration, status: 'healthy', lastHeartbeatAgeMs: 0 });
    this.agents.push(registered);
    return registered;
  }
  async heartbeat(agentId: string): Promise<void> {
    this.find(agentId);
    this.heartbeats.push(agentId);
  }
  async deregister(agentId: string): Promise<void> {
    this.agents.splice(this.agents.indexOf(this.find(agentId)), 1);
  }
  private find(agentId: string): Agent {
    const agent = this.agents.find((candidate) => candidate.id === agentId);
    if (!agent) throw new AppError('AGENT_NOT_FOUND', `agent ${agentId} is not registered`);
    return agent;
  }
}

const registration = (id: string): AgentRegistration => ({
  id,
  name: id,
  type: 'code-analyzer',
  taskTypes: ['analyze.file'],
  capabilities: ['typescript'],
  resources: {},
  endpoint: `http://${id}.internal:8001`,
  weight: 1,
  concurrency: 4,
  version: '1.0.0',
});

const agent = (id: string, status: Agent['status']): Agent =>
  AgentSchema.parse({
    ...registration(id),
    status,
    lastHeartbeatAgeMs: status === 'healthy' ? 120 : null,
  });

describe('registryRouter + HttpRegistryClient', () => {
  let served: ServedApp;
  let client: HttpRegistryClient;
  let registry: ListRegistry;

  beforeEach(async () => {
    registry = new ListRegistry([agent('agent-1', 'healthy'), agent('agent:2', 'draining')]);
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
    for (const id of ['', '.', '..']) await expect(client.getAgent(id)).resolves.toBeUndefined();
  });

  it('registers an agent and answers it as the registry does', async () => {
    const registered = await client.register(registration('agent-3'));

    expect(registered).toMatchObject({ id: 'agent-3', status: 'healthy' });
    await expect(client.getAgent('agent-3')).resolves.toEqual(registered);
  });

  it('refuses an invalid registration with VALIDATION_FAILED before it reaches the registry', async () => {
    await expect(
      client.register({ ...registration('agent-4'), endpoint: 'not a url' }),
    ).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    expect(registry.agents.map((each) => each.id)).not.toContain('agent-4');
  });

  it('heartbeats and deregisters by id (also ids with reserved URL characters)', async () => {
    await client.heartbeat('agent:2');
    expect(registry.heartbeats).toEqual(['agent:2']);

    await client.deregister('agent:2');
    await expect(client.getAgent('agent:2')).resolves.toBeUndefined();
  });

  it('carries AGENT_NOT_FOUND across the hop for heartbeats and deregistrations of unknown agents', async () => {
    for (const id of ['agent-404', '..', '']) {
      await expect(client.heartbeat(id)).rejects.toMatchObject({ code: 'AGENT_NOT_FOUND' });
      await expect(client.deregister(id)).rejects.toMatchObject({ code: 'AGENT_NOT_FOUND' });
    }
    expect(registry.agents).toHaveLength(2);
  });

  it('fails with SERVICE_UNAVAILABLE when the registry is not reachable', async () => {
    await served.close();
    await expect(client.listAgents()).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
    await expect(client.heartbeat('agent-1')).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
  });
});
