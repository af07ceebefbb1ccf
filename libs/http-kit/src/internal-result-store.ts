import {
  AppError,
  MAX_BATCH_TASKS,
  SYMBOL_KINDS,
  TASK_STATUSES,
  TaskSubmissionSchema,
  parseOrThrow,
  type BatchSubmitItem,
  type ListTasksFilter,
  type RedriveOutcome,
  type ResultStoreApi,
  type SubmitOptions,
  type SubmitOutcome,
  type SymbolSearchFilter,
  type SymbolSearchPage,
  type TaskMetrics,
  type TaskPage,
  type TaskResultView,
  type TaskStreamEvent,
  type TaskView,
} from '@contextforge/contracts';
import { runWithRemoteContext } from '@contextforge/observability';
import express, { Router } from 'express';
import { z } from 'zod';
import { requireJson } from './express-errors';
import { fetchJson } from './fetch-json';

/**
 * The result-store's internal HTTP API (cluster mode), used by gateway replicas. Not public:
 * the gateway authenticates clients and passes the client id along.
 */
const SubmitOptionsBody = z.object({
  parentId: z.uuid().optional(),
  cacheKey: z.string().min(1).max(200).optional(),
});
const SubmitBody = z.object({
  submission: TaskSubmissionSchema,
  clientId: z.string().min(1).max(200),
  options: SubmitOptionsBody.optional(),
});
const ListQuery = z.object({
  clientId: z.string().max(200).optional(),
  status: z.enum(TASK_STATUSES).optional(),
  type: z.string().max(100).optional(),
  agentId: z.string().max(100).optional(),
  parentId: z.string().max(100).optional(),
  limit: z.coerce.number().int().min(1).max(500).optional(),
  cursor: z.string().max(500).optional(),
});
const BatchBody = z.object({
  clientId: z.string().min(1).max(200),
  items: z
    .array(z.object({ submission: TaskSubmissionSchema, options: SubmitOptionsBody.optional() }))
    .min(1)
    .max(MAX_BATCH_TASKS),
});
const SearchQuery = z.object({
  text: z.string().min(1).max(500),
  clientId: z.string().min(1).max(200).optional(),
  // Comma-separated kinds.
  kinds: z
    .string()
    .max(500)
    .optional()
    .transform((value) => (value ? value.split(',') : undefined))
    .pipe(z.array(z.enum(SYMBOL_KINDS)).optional()),
  language: z.string().min(1).max(100).optional(),
  limit: z.coerce.number().int().min(1).max(1000),
  cursor: z.string().max(500).optional(),
});
const CancelBody = z.object({ reason: z.string().min(1).max(500) });
const RedriveBody = z.object({ taskIds: z.array(z.string().min(1).max(100)).min(1).max(500) });
const EventsQuery = z.object({
  after: z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER).default(0),
  // Larger limits are accepted and capped by the store (ResultStoreApi.taskEvents).
  limit: z.coerce.number().int().min(1).max(Number.MAX_SAFE_INTEGER).optional(),
});
const BASE = '/internal/v1/tasks';
const METRICS = '/internal/v1/task-metrics';
const SYMBOLS = '/internal/v1/symbols';

export function resultStoreRouter(api: ResultStoreApi, bodyLimitBytes: number): Router {
  const router = Router();
  router.post(BASE, requireJson, express.json({ limit: bodyLimitBytes }), async (req, res) => {
    const { submission, clientId, options } = parseOrThrow(SubmitBody, req.body, 'submit request');
    // The caller's trace (traceparent header) is the parent of the tasks' spans and bus messages.
    const outcome = await runWithRemoteContext(req.headers, () =>
      api.submit(submission, clientId, stripUndefined(options ?? {})),
    );
    res.status(200).json(outcome);
  });
  router.post(`${BASE}/batch`, requireJson, express.json({ limit: bodyLimitBytes }), async (req, res) => {
    const { clientId, items } = parseOrThrow(BatchBody, req.body, 'batch request');
    const outcomes = await runWithRemoteContext(req.headers, () =>
      api.submitBatch(
        items.map(({ submission, options }) => ({ submission, options: stripUndefined(options ?? {}) })),
        clientId,
      ),
    );
    res.status(200).json({ outcomes });
  });
  router.get(`${SYMBOLS}/search`, async (req, res) => {
    const query = parseOrThrow(SearchQuery, req.query, 'query');
    res.json(await api.searchSymbols(stripUndefined(query)));
  });
  // Registered before `${BASE}/:id` routes so that "redrive" is not read as an id.
  router.post(`${BASE}/redrive`, requireJson, express.json(), async (req, res) => {
    const { taskIds } = parseOrThrow(RedriveBody, req.body, 'redrive request');
    res.json(await api.redrive(taskIds));
  });
  router.post(`${BASE}/:id/cancel`, requireJson, express.json(), async (req, res) => {
    const { reason } = parseOrThrow(CancelBody, req.body, 'cancel request');
    res.json(await api.cancel(String(req.params['id']), reason));
  });
  router.get(BASE, async (req, res) => {
    const query = parseOrThrow(ListQuery, req.query, 'query');
    res.json(await api.listTasks(stripUndefined(query)));
  });
  router.get(METRICS, async (_req, res) => {
    res.json(await api.taskMetrics());
  });
  // The applied events of a task after `after`, in seq order ([] for an unknown task).
  router.get(`${BASE}/:id/events`, async (req, res) => {
    const { after, limit } = parseOrThrow(EventsQuery, req.query, 'query');
    res.json({ events: await api.taskEvents(String(req.params['id']), after, limit) });
  });
  router.get(`${BASE}/:id`, async (req, res) => {
    const task = await api.getTask(String(req.params['id']));
    if (!task) throw new AppError('TASK_NOT_FOUND', `no task ${String(req.params['id'])}`);
    res.json(task);
  });
  router.get(`${BASE}/:id/result`, async (req, res) => {
    const result = await api.getResult(String(req.params['id']));
    if (!result) throw new AppError('TASK_NOT_FOUND', `no result for task ${String(req.params['id'])}`);
    res.json(result);
  });
  return router;
}

export class HttpResultStoreClient implements ResultStoreApi {
  constructor(private readonly baseUrl: string) {}

  submit(
    submission: z.output<typeof TaskSubmissionSchema>,
    clientId: string,
    options?: SubmitOptions,
  ): Promise<SubmitOutcome> {
    return fetchJson(`${this.baseUrl}${BASE}`, {
      method: 'POST',
      body: { submission, clientId, ...(options ? { options } : {}) },
    });
  }

  async submitBatch(items: readonly BatchSubmitItem[], clientId: string): Promise<SubmitOutcome[]> {
    const answer = await fetchJson<{ outcomes: SubmitOutcome[] }>(`${this.baseUrl}${BASE}/batch`, {
      method: 'POST',
      body: { clientId, items },
    });
    return answer.outcomes;
  }

  searchSymbols(filter: SymbolSearchFilter): Promise<SymbolSearchPage> {
    const query = new URLSearchParams({ text: filter.text, limit: String(filter.limit) });
    if (filter.clientId !== undefined) query.set('clientId', filter.clientId);
    if (filter.kinds !== undefined && filter.kinds.length > 0) query.set('kinds', filter.kinds.join(','));
    if (filter.language !== undefined) query.set('language', filter.language);
    if (filter.cursor !== undefined) query.set('cursor', filter.cursor);
    return fetchJson(`${this.baseUrl}${SYMBOLS}/search?${query.toString()}`);
  }

  getTask(id: string): Promise<TaskView | undefined> {
    return orUndefined(fetchJson<TaskView>(`${this.baseUrl}${BASE}/${encodeURIComponent(id)}`));
  }

  getResult(taskId: string): Promise<TaskResultView | undefined> {
    return orUndefined(
      fetchJson<TaskResultView>(`${this.baseUrl}${BASE}/${encodeURIComponent(taskId)}/result`),
    );
  }

  cancel(taskId: string, reason: string): Promise<TaskView> {
    return fetchJson(`${this.baseUrl}${BASE}/${encodeURIComponent(taskId)}/cancel`, {
      method: 'POST',
      body: { reason },
    });
  }

  redrive(taskIds: readonly string[]): Promise<RedriveOutcome> {
    return fetchJson(`${this.baseUrl}${BASE}/redrive`, { method: 'POST', body: { taskIds } });
  }

  async taskEvents(taskId: string, afterSeq: number, limit?: number): Promise<TaskStreamEvent[]> {
    const query = new URLSearchParams({ after: String(afterSeq) });
    if (limit !== undefined) query.set('limit', String(limit));
    const url = `${this.baseUrl}${BASE}/${encodeURIComponent(taskId)}/events?${query.toString()}`;
    return (await fetchJson<{ events: TaskStreamEvent[] }>(url)).events;
  }

  taskMetrics(): Promise<TaskMetrics> {
    return fetchJson(`${this.baseUrl}${METRICS}`);
  }

  listTasks(filter: ListTasksFilter): Promise<TaskPage> {
    const query = new URLSearchParams(
      Object.entries(filter)
        .filter(([, value]) => value !== undefined)
        .map(([key, value]): [string, string] => [key, String(value)]),
    );
    return fetchJson(`${this.baseUrl}${BASE}?${query.toString()}`);
  }
}

async function orUndefined<T>(call: Promise<T>): Promise<T | undefined> {
  try {
    return await call;
  } catch (error) {
    if (error instanceof AppError && error.code === 'TASK_NOT_FOUND') return undefined;
    throw error;
  }
}

function stripUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== undefined)) as T;
}
