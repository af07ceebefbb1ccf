import {
  AppError,
  PayloadIdSchema,
  parseOrThrow,
  type PayloadOwner,
  type PayloadRef,
  type PayloadStore,
  type StoredPayload,
} from '@contextforge/contracts';
import express, { Router } from 'express';
import { z } from 'zod';
import { requireJson } from './express-errors';
import { fetchJson } from './fetch-json';

/**
 * Payloads by reference over the result-store's internal API (cluster mode): agents upload an
 * output too large for a bus message here, then publish `succeeded` with its id (PayloadStore).
 *
 * - `PUT /internal/v1/tasks/{taskId}/attempts/{attempt}/output`, body `{ "output": <any JSON> }`,
 *   the attempt's fencing token in the `x-attempt-token` header -> 201 `{ id, bytes }`; refused
 *   with the store's code (STALE_TOKEN, STALE_ATTEMPT, TASK_NOT_FOUND, INVALID_TRANSITION, 409/404).
 * - `GET /internal/v1/payloads/{id}` -> the StoredPayload, or 404 PAYLOAD_NOT_FOUND.
 * Not public (like every /internal route): the token is what fences an upload.
 */
export const ATTEMPT_TOKEN_HEADER = 'x-attempt-token';

const TASKS = '/internal/v1/tasks';
const PAYLOADS = '/internal/v1/payloads';
const OutputPath = z.object({
  id: z.string().min(1).max(100),
  attempt: z.coerce.number().int().min(0).max(1_000_000),
});
const OutputBody = z.object({ output: z.unknown() });
const Token = z.string().min(1).max(100).optional();

/** The payload routes, with uploads limited to `bodyLimitBytes` (network.body_limit). */
export function payloadRouter(store: PayloadStore, bodyLimitBytes: number): Router {
  const router = Router();
  router.put(
    `${TASKS}/:id/attempts/:attempt/output`,
    requireJson,
    express.json({ limit: bodyLimitBytes }),
    async (req, res) => {
      const { id, attempt } = parseOrThrow(OutputPath, req.params, 'output upload path');
      const token = parseOrThrow(Token, req.get(ATTEMPT_TOKEN_HEADER), `${ATTEMPT_TOKEN_HEADER} header`);
      const { output } = parseOrThrow(OutputBody, req.body, 'output upload');
      const owner: PayloadOwner = { taskId: id, attempt, ...(token === undefined ? {} : { token }) };
      res.status(201).json(await store.put(owner, output));
    },
  );
  router.get(`${PAYLOADS}/:id`, async (req, res) => {
    const id = parseOrThrow(PayloadIdSchema, req.params['id'], 'payload id');
    const payload = await store.get(id);
    if (!payload) throw new AppError('PAYLOAD_NOT_FOUND', `no payload ${id}`);
    res.json(payload);
  });
  return router;
}

export interface HttpPayloadStoreOptions {
  /** Longest an upload or a read may take (default 60 s). */
  timeoutMs?: number;
}

/** PayloadStore over payloadRouter: what an agent process uses in the cluster. */
export class HttpPayloadStore implements PayloadStore {
  private readonly timeoutMs: number;

  constructor(
    private readonly baseUrl: string,
    options: HttpPayloadStoreOptions = {},
  ) {
    this.timeoutMs = options.timeoutMs ?? 60_000;
  }

  put(owner: PayloadOwner, content: unknown): Promise<PayloadRef> {
    const { taskId, attempt, token } = owner;
    const url = `${this.baseUrl}${TASKS}/${encodeURIComponent(taskId)}/attempts/${attempt}/output`;
    return fetchJson<PayloadRef>(url, {
      method: 'PUT',
      body: { output: content ?? null },
      headers: token === undefined ? {} : { [ATTEMPT_TOKEN_HEADER]: token },
      signal: AbortSignal.timeout(this.timeoutMs),
    });
  }

  async get(id: string): Promise<StoredPayload | undefined> {
    try {
      return await fetchJson<StoredPayload>(`${this.baseUrl}${PAYLOADS}/${encodeURIComponent(id)}`, {
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      if (error instanceof AppError && error.code === 'PAYLOAD_NOT_FOUND') return undefined;
      throw error;
    }
  }
}
