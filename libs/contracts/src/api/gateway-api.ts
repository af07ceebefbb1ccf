import { z } from 'zod';
import { AgentSchema, AgentStatusSchema, CircuitStateSchema } from '../agent';
import { ApiKeyViewSchema } from '../auth';
import { ERROR_CODE_LIST } from '../errors';
import type { TaskMetrics } from '../ports/service-apis';
import { SYMBOL_KINDS, SymbolDefSchema } from '../analysis';
import { TASK_PRIORITY_MAX, TASK_STATUSES, TaskSubmissionSchema, TaskViewSchema } from '../task';

/**
 * Request and response shapes of the gateway's public API that are not domain objects of their
 * own. The gateway validates requests with these, the OpenAPI document is generated from them,
 * and the client SDK can parse answers with them.
 */

const pageLimit = z.coerce.number().int().min(1).max(500).default(50);
const cursor = z.string().min(1).max(500);

/** GET /tasks query: filters and cursor paging. Query values arrive as strings; `limit` is coerced. */
export const ListTasksQuerySchema = z.strictObject({
  status: z.enum(TASK_STATUSES).optional(),
  type: z.string().min(1).max(100).optional(),
  agent: z.string().min(1).max(100).optional(),
  limit: pageLimit,
  cursor: cursor.optional(),
});
export type ListTasksQuery = z.input<typeof ListTasksQuerySchema>;

/** GET /dead-letters query. */
export const DeadLettersQuerySchema = z.strictObject({
  limit: pageLimit,
  cursor: cursor.optional(),
});

/** Body of POST /dead-letters/redrive. */
export const RedriveRequestSchema = z.strictObject({
  taskIds: z.array(z.uuid()).min(1).max(500),
});

/** 202 answer of POST /tasks/submit. */
export const SubmitTaskResponseSchema = z.object({
  taskId: z.uuid(),
  status: z.enum(TASK_STATUSES),
});

export const TaskPageSchema = z.object({
  tasks: z.array(TaskViewSchema),
  /** Pass as `cursor` to read the next page; absent on the last page. */
  nextCursor: z.string().optional(),
});

export const RedriveOutcomeSchema = z.object({
  redriven: z.array(TaskViewSchema),
  skipped: z.array(z.object({ taskId: z.string(), code: z.string(), message: z.string() })),
});

export const AgentListSchema = z.object({ agents: z.array(AgentSchema) });

/** GET /agents/health: ok when every agent is healthy, down when none is (or there are none). */
export const AgentsHealthSchema = z.object({
  status: z.enum(['ok', 'degraded', 'down']),
  counts: z.object({
    healthy: z.int().min(0),
    draining: z.int().min(0),
    unhealthy: z.int().min(0),
    total: z.int().min(0),
  }),
  agents: z.array(
    z.object({
      id: z.string(),
      status: AgentStatusSchema,
      circuit: CircuitStateSchema,
      lastHeartbeatAgeMs: z.number().nullable(),
      statusNote: z.string().optional(),
    }),
  ),
});
export type AgentsHealth = z.output<typeof AgentsHealthSchema>;

const countsBy = <const T extends readonly string[]>(keys: T) =>
  z.object(Object.fromEntries(keys.map((key) => [key, z.int().min(0)])) as Record<T[number], z.ZodInt>);

/** GET /metrics/agents. */
export const AgentMetricsSchema = z.object({
  at: z.iso.datetime(),
  total: z.int().min(0),
  byStatus: countsBy(AgentStatusSchema.options),
  byCircuit: countsBy(CircuitStateSchema.options),
  /** Sum of `concurrency` over healthy agents. */
  capacity: z.int().min(0),
  /** Tasks in flight (dispatched or running), over all agents. */
  inFlight: z.int().min(0),
  /** inFlight / capacity, 0 when there is no capacity. */
  utilisation: z.number().min(0),
  agents: z.array(
    z.object({
      id: z.string(),
      status: AgentStatusSchema,
      circuit: CircuitStateSchema,
      concurrency: z.int().min(1),
      inFlight: z.int().min(0),
    }),
  ),
});
export type AgentMetrics = z.output<typeof AgentMetricsSchema>;

const percentiles = z.object({
  count: z.int().min(0),
  p50: z.number().nullable(),
  p95: z.number().nullable(),
  p99: z.number().nullable(),
  max: z.number().nullable(),
});

const metricsWindow = z.object({
  seconds: z.number().min(0),
  finished: countsBy(['succeeded', 'cancelled', 'dead_lettered'] as const),
  throughputPerSecond: z.number().min(0),
});

/** GET /metrics/tasks (the TaskMetrics the result-store computes). */
export const TaskMetricsSchema = z.object({
  at: z.iso.datetime(),
  byStatus: countsBy(TASK_STATUSES),
  inFlightByAgent: z.record(z.string(), z.int().min(0)),
  /** Tasks in queued status by priority: index = priority (0-9). */
  queuedByPriority: z.array(z.int().min(0)).length(TASK_PRIORITY_MAX + 1),
  window: metricsWindow,
  latencyMs: percentiles,
  runTimeMs: percentiles,
}) satisfies z.ZodType<TaskMetrics>;

/** GET /metrics/performance: throughput and latency only. */
export const PerformanceMetricsSchema = TaskMetricsSchema.pick({
  at: true,
  window: true,
  latencyMs: true,
  runTimeMs: true,
});
export type PerformanceMetrics = z.output<typeof PerformanceMetricsSchema>;

/** 201 answer of POST /api-keys: the key itself appears here once and is never stored. */
export const CreatedApiKeySchema = z.object({
  key: z.string(),
  apiKey: ApiKeyViewSchema,
});
export type CreatedApiKey = z.output<typeof CreatedApiKeySchema>;

export const ApiKeyListSchema = z.object({ apiKeys: z.array(ApiKeyViewSchema) });

export const HealthStatusSchema = z.object({ status: z.enum(['ok']) });
export const ReadinessStatusSchema = z.object({ status: z.enum(['ready', 'not_ready']) });

/**
 * The common error shape of every non-2xx answer of every HTTP API: `code` is one of the error
 * registry's codes (docs/api/errors.md), `message` is for people, `details` is code-specific data.
 */
export const ErrorResponseSchema = z.object({
  error: z.object({
    code: z.enum(ERROR_CODE_LIST as [string, ...string[]]),
    message: z.string(),
    details: z.record(z.string(), z.unknown()).optional(),
  }),
});
export type ErrorResponse = z.output<typeof ErrorResponseSchema>;

/** Most tasks in one POST /tasks/batch. */
export const MAX_BATCH_TASKS = 1000;

/**
 * Body of POST /tasks/batch: N submissions, each exactly like a POST /tasks/submit body (its own
 * idempotencyKey). Validation errors name the item, e.g. `tasks[3].priority`.
 */
export const BatchSubmitRequestSchema = z.strictObject({
  tasks: z.array(TaskSubmissionSchema).min(1).max(MAX_BATCH_TASKS),
});

/** 202 answer of POST /tasks/batch: one entry per submitted task, in request order. */
export const BatchSubmitResponseSchema = z.object({
  tasks: z.array(
    z.object({
      /** The item's position in the request. */
      index: z.int().min(0),
      taskId: z.uuid(),
      status: z.enum(TASK_STATUSES),
      /** True when the task was answered from the result cache (already succeeded). */
      fromCache: z.boolean().optional(),
      /** True when the item's idempotencyKey named an earlier task, which is answered instead. */
      replayed: z.boolean().optional(),
    }),
  ),
});
export type BatchSubmitResponse = z.output<typeof BatchSubmitResponseSchema>;

export const DEFAULT_SEARCH_LIMIT = 20;
export const MAX_SEARCH_LIMIT = 100;

/** GET /search query. */
export const SymbolSearchQuerySchema = z.strictObject({
  /** Words to find (camelCase, snake_case and kebab-case are split); the last one matches as a prefix. */
  q: z
    .string()
    .trim()
    .min(1)
    .max(200)
    .regex(/[\p{L}\p{N}]/u, 'must contain a letter or a digit'),
  kind: z.enum(SYMBOL_KINDS).optional(),
  language: z.string().min(1).max(50).optional(),
  limit: z.coerce.number().int().min(1).max(MAX_SEARCH_LIMIT).default(DEFAULT_SEARCH_LIMIT),
  cursor: cursor.optional(),
});
export type SymbolSearchQuery = z.input<typeof SymbolSearchQuerySchema>;

/** GET /search answer: ranked hits, best first. */
export const SymbolSearchResponseSchema = z.object({
  results: z.array(
    z.object({
      symbol: SymbolDefSchema,
      taskId: z.uuid(),
      /** Higher is better: 1 + relevance for an exact name match, else relevance in [0, 1). */
      score: z.number(),
    }),
  ),
  nextCursor: z.string().optional(),
});
export type SymbolSearchResponse = z.output<typeof SymbolSearchResponseSchema>;
