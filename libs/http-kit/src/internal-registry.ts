import {
  AgentRegistrationSchema,
  AppError,
  parseOrThrow,
  type Agent,
  type AgentRegistration,
  type RegistryApi,
} from '@contextforge/contracts';
import express, { Router } from 'express';
import { requireJson } from './express-errors';
import { fetchJson } from './fetch-json';

/**
 * The registry's internal HTTP API (cluster mode), used by gateway replicas. Not public: the
 * gateway authenticates and authorizes callers before it registers, heartbeats or deregisters an
 * agent on their behalf.
 */
const BASE = '/internal/v1/agents';
/** A registration is small; anything bigger is not one. */
const REGISTRATION_LIMIT_BYTES = 64 * 1024;

export function registryRouter(api: RegistryApi): Router {
  const router = Router();
  router.get(BASE, async (_req, res) => {
    res.json({ agents: await api.listAgents() });
  });
  router.post(BASE, requireJson, express.json({ limit: REGISTRATION_LIMIT_BYTES }), async (req, res) => {
    const registration = parseOrThrow(AgentRegistrationSchema, req.body, 'agent registration');
    res.json(await api.register(registration));
  });
  router.get(`${BASE}/:id`, async (req, res) => {
    const agent = await api.getAgent(String(req.params['id']));
    if (!agent) throw new AppError('AGENT_NOT_FOUND', `no agent ${String(req.params['id'])}`);
    res.json(agent);
  });
  router.delete(`${BASE}/:id`, async (req, res) => {
    await api.deregister(String(req.params['id']));
    res.status(204).end();
  });
  router.post(`${BASE}/:id/heartbeat`, async (req, res) => {
    await api.heartbeat(String(req.params['id']));
    res.status(204).end();
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
      return await fetchJson<Agent>(this.agentUrl(id));
    } catch (error) {
      if (error instanceof AppError && error.code === 'AGENT_NOT_FOUND') return undefined;
      throw error;
    }
  }

  register(registration: AgentRegistration): Promise<Agent> {
    return fetchJson<Agent>(`${this.baseUrl}${BASE}`, { method: 'POST', body: registration });
  }

  async heartbeat(agentId: string): Promise<void> {
    await fetchJson<undefined>(`${this.agentUrl(agentId)}/heartbeat`, { method: 'POST' });
  }

  async deregister(agentId: string): Promise<void> {
    await fetchJson<undefined>(this.agentUrl(agentId), { method: 'DELETE' });
  }

  /** Ids that no URL path segment can carry (`.`, `..`, empty) are no agent's id. */
  private agentUrl(id: string): string {
    if (id === '' || id === '.' || id === '..') throw new AppError('AGENT_NOT_FOUND', `no agent ${id}`);
    return `${this.baseUrl}${BASE}/${encodeURIComponent(id)}`;
  }
}
