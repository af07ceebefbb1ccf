import { parseOrThrow, type LeaseStore } from '@contextforge/contracts';
import express, { Router } from 'express';
import { z } from 'zod';
import { fetchJson } from './fetch-json';

/**
 * Leases over the result-store's internal API, so that replicas of services without a database
 * (scheduler, registry) can elect one active replica against PostgreSQL's clock.
 */
const BASE = '/internal/v1/leases';
const LeaseName = z.string().regex(/^[a-z][a-z0-9.-]{0,99}$/);
const AcquireBody = z.object({ holder: z.string().min(1).max(200), ttlMs: z.int().min(100).max(600_000) });
const ReleaseBody = z.object({ holder: z.string().min(1).max(200) });

export function leaseRouter(leases: LeaseStore): Router {
  const router = Router();
  router.put(`${BASE}/:name`, express.json(), async (req, res) => {
    const name = parseOrThrow(LeaseName, req.params['name'], 'lease name');
    const { holder, ttlMs } = parseOrThrow(AcquireBody, req.body, 'lease request');
    res.json({ acquired: await leases.tryAcquire(name, holder, ttlMs) });
  });
  router.delete(`${BASE}/:name`, express.json(), async (req, res) => {
    const name = parseOrThrow(LeaseName, req.params['name'], 'lease name');
    const { holder } = parseOrThrow(ReleaseBody, req.body, 'lease release');
    await leases.release(name, holder);
    res.status(204).end();
  });
  return router;
}

export class HttpLeaseStore implements LeaseStore {
  constructor(private readonly baseUrl: string) {}

  async tryAcquire(name: string, holder: string, ttlMs: number): Promise<boolean> {
    const url = `${this.baseUrl}${BASE}/${encodeURIComponent(name)}`;
    const answer = await fetchJson<{ acquired: boolean }>(url, {
      method: 'PUT',
      body: { holder, ttlMs },
      signal: AbortSignal.timeout(ttlMs / 2),
    });
    return answer.acquired === true;
  }

  async release(name: string, holder: string): Promise<void> {
    await fetchJson(`${this.baseUrl}${BASE}/${encodeURIComponent(name)}`, {
      method: 'DELETE',
      body: { holder },
    });
  }
}
