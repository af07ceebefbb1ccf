import { AppError, type Agent, type RegistryApi } from '@contextforge/contracts';
import { Router } from 'express';
import { fetchJson } from './fetch-json';

/** The registry's internal HTTP API (cluster mode), used by gateway replicas. */
const BASE = '/internal/v1/agents';

export function registryRouter(api: RegistryApi): Router {
  const router = Router();
  router.get(BASE, async (_req, res) => {
    res.json({ agents: await api.listAgents() });
  });
  router.get(`${BASE}/:id`, async (req, res) => {
    const agent = await api.getAgent(String(req.params['id']));
    if (!agent) throw new AppError('AGENT_NOT_FOUND', `no agent ${String(req.params['id'])}`);
    res.json(agent);
  });
  return router;
}

export class HttpRegistryClient implements RegistryApi {
  constructor(private readonly baseUrl: string) {}

  async listAgents(): Promise<Agent[]> {
    return (await fetchJson<{ agents: Agent[] }>(`${this.baseUrl}${BASE}`)).agents;
  }

  async getAgent(id: string): Promise<Agent | undefined> {
    try {
      return await fetchJson<Agent>(`${this.baseUrl}${BASE}/${encodeURIComponent(id)}`);
    } catch (error) {
      if (error instanceof AppError && error.code === 'AGENT_NOT_FOUND') return undefined;
      throw error;
    }
  }
}
