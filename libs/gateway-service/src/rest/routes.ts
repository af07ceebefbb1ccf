import {
  AgentListSchema,
  AgentMetricsSchema,
  AgentRegistrationSchema,
  AgentSchema,
  AgentsHealthSchema,
  ApiKeyListSchema,
  BatchSubmitRequestSchema,
  BatchSubmitResponseSchema,
  ApiKeyViewSchema,
  CreateApiKeyRequestSchema,
  CreatedApiKeySchema,
  DeadLettersQuerySchema,
  HealthStatusSchema,
  ListTasksQuerySchema,
  PerformanceMetricsSchema,
  ReadinessStatusSchema,
  RedriveOutcomeSchema,
  RedriveRequestSchema,
  RepositoryArchiveQuerySchema,
  RepositoryJobRequestSchema,
  SubmitJobResponseSchema,
  SubmitTaskResponseSchema,
  SymbolSearchQuerySchema,
  SymbolSearchResponseSchema,
  TaskMetricsSchema,
  TaskPageSchema,
  TaskResultViewSchema,
  TaskSubmissionSchema,
  TaskViewSchema,
} from '@contextforge/contracts';
import { z } from 'zod';
import { defineRoute, type RouteSpec } from './route-spec';

const TaskIdParams = z.object({ id: z.uuid().describe('The task id (a UUID).') });
const AgentIdParams = z.object({ id: z.string().min(1).max(200).describe('The agent id.') });
const ApiKeyIdParams = z.object({ id: z.string().min(1).max(200).describe('The API key id.') });

const param = (params: Readonly<Record<string, string>>, name: string): string => params[name] ?? '';

/**
 * The gateway's REST API. Order matters where paths overlap: a fixed path (`/agents/health`,
 * `/tasks/submit`) comes before the parameterised one it would otherwise match (`/agents/{id}`).
 */
export const GATEWAY_ROUTES: readonly RouteSpec[] = [
  // --- service -------------------------------------------------------------------------------
  defineRoute({
    method: 'GET',
    path: '/healthz',
    operationId: 'getLiveness',
    summary: 'Liveness: the process answers',
    tags: ['service'],
    auth: false,
    responses: { 200: { description: 'The gateway is alive.', schema: HealthStatusSchema } },
    errors: [],
    handler: async () => ({ status: 200, body: { status: 'ok' } }),
  }),
  defineRoute({
    method: 'GET',
    path: '/readyz',
    operationId: 'getReadiness',
    summary: 'Readiness: the dependencies answer',
    description: 'Answers 503 with status not_ready while the result-store or registry cannot be reached.',
    tags: ['service'],
    auth: false,
    responses: {
      200: { description: 'Ready to serve.', schema: ReadinessStatusSchema },
      503: { description: 'Not ready.', schema: ReadinessStatusSchema },
    },
    errors: [],
    handler: async ({ services }) => {
      const ready = await services.ready().catch(() => false);
      return { status: ready ? 200 : 503, body: { status: ready ? 'ready' : 'not_ready' } };
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/openapi.json',
    operationId: 'getOpenApiDocument',
    summary: 'This API as an OpenAPI 3.1 document',
    tags: ['service'],
    auth: false,
    responses: {
      200: { description: 'The OpenAPI document.', schema: z.record(z.string(), z.unknown()) },
    },
    errors: [],
    handler: async ({ services }) => ({ status: 200, body: services.openApiDocument() }),
  }),
  defineRoute({
    method: 'GET',
    path: '/docs',
    operationId: 'getApiDocs',
    summary: 'This API as a human-readable page',
    tags: ['service'],
    auth: false,
    responses: { 200: { description: 'An HTML page.', contentType: 'text/html', schema: z.string() } },
    errors: [],
    handler: async ({ services }) => ({ status: 200, body: services.docsPage() }),
  }),
  defineRoute({
    method: 'GET',
    path: '/dashboard',
    operationId: 'getDashboard',
    summary: 'The live operations dashboard (an HTML page)',
    description:
      "Agents, throughput and latency, queue depth, failures and the dead-letter queue, live over /agents/stream and /metrics/stream. The page holds no data and is served without authentication; it reads everything with the token given as #access_token= (or ?access_token=, or typed into its form), under the API's usual authentication.",
    tags: ['service'],
    auth: false,
    responses: {
      200: {
        description: 'An HTML page with its own Content-Security-Policy.',
        contentType: 'text/html',
        schema: z.string(),
      },
    },
    errors: [],
    handler: async ({ services }) => {
      const page = services.dashboardPage();
      return { status: 200, body: page.html, headers: page.headers };
    },
  }),

  // --- agents ----------------------------------------------------------------------------------
  defineRoute({
    method: 'POST',
    path: '/agents/register',
    operationId: 'registerAgent',
    summary: 'Register (or re-register) an agent',
    description:
      'Needs an agent API key (bound keys only for their own agent id) or the admin role. The agent must then heartbeat within the TTL.',
    tags: ['agents'],
    auth: true,
    body: AgentRegistrationSchema,
    responses: { 200: { description: 'The registered agent.', schema: AgentSchema } },
    errors: [
      'VALIDATION_FAILED',
      'MALFORMED_JSON',
      'UNSUPPORTED_MEDIA_TYPE',
      'PAYLOAD_TOO_LARGE',
      'FORBIDDEN',
    ],
    handler: async ({ services, principal, body }) => ({
      status: 200,
      body: await services.operations.registerAgent(principal, body),
    }),
  }),
  defineRoute({
    method: 'GET',
    path: '/agents/health',
    operationId: 'getAgentsHealth',
    summary: 'Health of the agent fleet',
    description: 'ok when every agent is healthy, degraded when some are, down when none is.',
    tags: ['agents'],
    auth: true,
    responses: { 200: { description: 'Counts and per-agent status.', schema: AgentsHealthSchema } },
    errors: [],
    handler: async ({ services, principal }) => ({
      status: 200,
      body: await services.operations.agentsHealth(principal),
    }),
  }),
  defineRoute({
    method: 'GET',
    path: '/agents',
    operationId: 'listAgents',
    summary: 'List the registered agents',
    tags: ['agents'],
    auth: true,
    responses: { 200: { description: 'Every agent, sorted by id.', schema: AgentListSchema } },
    errors: [],
    handler: async ({ services, principal }) => ({
      status: 200,
      body: { agents: await services.operations.listAgents(principal) },
    }),
  }),
  defineRoute({
    method: 'GET',
    path: '/agents/{id}',
    operationId: 'getAgent',
    summary: 'Read one agent',
    tags: ['agents'],
    auth: true,
    params: AgentIdParams,
    responses: { 200: { description: 'The agent.', schema: AgentSchema } },
    errors: ['AGENT_NOT_FOUND'],
    handler: async ({ services, principal, params }) => ({
      status: 200,
      body: await services.operations.getAgent(principal, param(params, 'id')),
    }),
  }),
  defineRoute({
    method: 'DELETE',
    path: '/agents/{id}',
    operationId: 'deregisterAgent',
    summary: 'Deregister an agent',
    description: 'Needs the agent API key of this agent (or an unbound agent key) or the admin role.',
    tags: ['agents'],
    auth: true,
    params: AgentIdParams,
    responses: { 204: { description: 'Deregistered.' } },
    errors: ['AGENT_NOT_FOUND', 'FORBIDDEN'],
    handler: async ({ services, principal, params }) => {
      await services.operations.deregisterAgent(principal, param(params, 'id'));
      return { status: 204 };
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/agents/{id}/heartbeat',
    operationId: 'heartbeatAgent',
    summary: "Refresh an agent's heartbeat",
    description:
      'Every 5-10 s; an agent without one for 30 s is unhealthy. AGENT_NOT_FOUND means: register again.',
    tags: ['agents'],
    auth: true,
    params: AgentIdParams,
    responses: { 204: { description: 'Recorded.' } },
    errors: ['AGENT_NOT_FOUND', 'FORBIDDEN'],
    handler: async ({ services, principal, params }) => {
      await services.operations.heartbeatAgent(principal, param(params, 'id'));
      return { status: 204 };
    },
  }),

  // --- tasks -----------------------------------------------------------------------------------
  defineRoute({
    method: 'POST',
    path: '/tasks/submit',
    operationId: 'submitTask',
    summary: 'Submit a task',
    description:
      'Accepted tasks are never lost. A repeated idempotencyKey answers the first task again, with Idempotent-Replayed: true.',
    tags: ['tasks'],
    auth: true,
    body: TaskSubmissionSchema,
    responses: {
      202: {
        description: 'Accepted; poll the Location or stream /tasks/stream/{id}.',
        schema: SubmitTaskResponseSchema,
        headers: {
          Location: { description: 'The task resource, /tasks/{id}.', required: true },
          'Idempotent-Replayed': { description: '"true" when the idempotency key was seen before.' },
        },
      },
    },
    errors: [
      'VALIDATION_FAILED',
      'MALFORMED_JSON',
      'UNSUPPORTED_MEDIA_TYPE',
      'PAYLOAD_TOO_LARGE',
      'IDEMPOTENCY_CONFLICT',
      'SERVICE_UNAVAILABLE',
    ],
    handler: async ({ services, principal, body }) => {
      const { task, created } = await services.operations.submitTask(principal, body);
      return {
        status: 202,
        body: { taskId: task.id, status: task.status },
        headers: {
          Location: `/tasks/${task.id}`,
          ...(created ? {} : { 'Idempotent-Replayed': 'true' }),
        },
      };
    },
  }),
  // Before /tasks/{id}: `batch` is not an id.
  defineRoute({
    method: 'POST',
    path: '/tasks/batch',
    operationId: 'submitTaskBatch',
    summary: 'Submit up to 1,000 tasks at once',
    description:
      'Each item is a POST /tasks/submit body with its own idempotencyKey; errors name the item (tasks[3].priority). Counts as N tasks for the rate limit. Answers one entry per item in request order; read each result at GET /tasks/{taskId}/result. Items answered from the result cache are already succeeded (fromCache).',
    tags: ['tasks'],
    auth: true,
    body: BatchSubmitRequestSchema,
    responses: { 202: { description: 'Accepted, in request order.', schema: BatchSubmitResponseSchema } },
    errors: [
      'VALIDATION_FAILED',
      'MALFORMED_JSON',
      'UNSUPPORTED_MEDIA_TYPE',
      'PAYLOAD_TOO_LARGE',
      'IDEMPOTENCY_CONFLICT',
      'SERVICE_UNAVAILABLE',
    ],
    handler: async ({ services, principal, body }) => ({
      status: 202,
      body: await services.operations.submitTasks(principal, body),
    }),
  }),
  defineRoute({
    method: 'GET',
    path: '/tasks',
    operationId: 'listTasks',
    summary: 'List tasks, filtered and paged',
    description: "A client's own tasks (admins: every client's), newest first; pass nextCursor as cursor.",
    tags: ['tasks'],
    auth: true,
    query: ListTasksQuerySchema,
    responses: { 200: { description: 'One page of tasks.', schema: TaskPageSchema } },
    errors: ['VALIDATION_FAILED'],
    handler: async ({ services, principal, query }) => ({
      status: 200,
      body: await services.operations.listTasks(principal, query),
    }),
  }),
  defineRoute({
    method: 'GET',
    path: '/tasks/{id}',
    operationId: 'getTask',
    summary: 'Read a task and its status',
    tags: ['tasks'],
    auth: true,
    params: TaskIdParams,
    responses: { 200: { description: 'The task.', schema: TaskViewSchema } },
    errors: ['TASK_NOT_FOUND'],
    handler: async ({ services, principal, params }) => ({
      status: 200,
      body: await services.operations.getTask(principal, param(params, 'id')),
    }),
  }),
  defineRoute({
    method: 'DELETE',
    path: '/tasks/{id}',
    operationId: 'cancelTask',
    summary: 'Cancel a task',
    tags: ['tasks'],
    auth: true,
    params: TaskIdParams,
    responses: { 200: { description: 'The cancelled task.', schema: TaskViewSchema } },
    errors: ['TASK_NOT_FOUND', 'TASK_ALREADY_FINAL'],
    handler: async ({ services, principal, params }) => ({
      status: 200,
      body: await services.operations.cancelTask(principal, param(params, 'id')),
    }),
  }),
  defineRoute({
    method: 'GET',
    path: '/tasks/{id}/result',
    operationId: 'getTaskResult',
    summary: 'Read the result of a succeeded task',
    description:
      'RESULT_NOT_AVAILABLE carries details.status and details.retryable (false once it never will).',
    tags: ['tasks'],
    auth: true,
    params: TaskIdParams,
    responses: { 200: { description: 'The result.', schema: TaskResultViewSchema } },
    errors: ['TASK_NOT_FOUND', 'RESULT_NOT_AVAILABLE'],
    handler: async ({ services, principal, params }) => ({
      status: 200,
      body: await services.operations.getResult(principal, param(params, 'id')),
    }),
  }),
  defineRoute({
    method: 'POST',
    path: '/tasks/{id}/redrive',
    operationId: 'redriveTask',
    summary: 'Queue a dead-lettered task again',
    tags: ['tasks', 'dead letters'],
    auth: true,
    params: TaskIdParams,
    responses: { 202: { description: 'Queued again with a new attempt.', schema: TaskViewSchema } },
    errors: ['TASK_NOT_FOUND', 'TASK_NOT_DEAD_LETTERED'],
    handler: async ({ services, principal, params }) => ({
      status: 202,
      body: await services.operations.redriveTask(principal, param(params, 'id')),
    }),
  }),
  defineRoute({
    method: 'GET',
    path: '/dead-letters',
    operationId: 'listDeadLetters',
    summary: 'List dead-lettered tasks',
    tags: ['dead letters'],
    auth: true,
    query: DeadLettersQuerySchema,
    responses: { 200: { description: 'One page of dead-lettered tasks.', schema: TaskPageSchema } },
    errors: ['VALIDATION_FAILED'],
    handler: async ({ services, principal, query }) => ({
      status: 200,
      body: await services.operations.listDeadLetters(principal, query),
    }),
  }),
  defineRoute({
    method: 'POST',
    path: '/dead-letters/redrive',
    operationId: 'redriveDeadLetters',
    summary: 'Queue several dead-lettered tasks again',
    description:
      'Tasks that cannot be re-driven (unknown, not yours, not dead-lettered) are listed as skipped.',
    tags: ['dead letters'],
    auth: true,
    body: RedriveRequestSchema,
    responses: {
      200: { description: 'What was re-driven and what was skipped.', schema: RedriveOutcomeSchema },
    },
    errors: ['VALIDATION_FAILED', 'MALFORMED_JSON', 'UNSUPPORTED_MEDIA_TYPE', 'PAYLOAD_TOO_LARGE'],
    handler: async ({ services, principal, body }) => ({
      status: 200,
      body: await services.operations.redrive(principal, body.taskIds),
    }),
  }),

  // --- metrics ---------------------------------------------------------------------------------
  defineRoute({
    method: 'GET',
    path: '/metrics/agents',
    operationId: 'getAgentMetrics',
    summary: 'Agent fleet figures: status, circuits, capacity, tasks in flight',
    tags: ['metrics'],
    auth: true,
    responses: { 200: { description: 'Agent metrics.', schema: AgentMetricsSchema } },
    errors: ['SERVICE_UNAVAILABLE'],
    handler: async ({ services, principal }) => ({
      status: 200,
      body: await services.operations.agentMetrics(principal),
    }),
  }),
  defineRoute({
    method: 'GET',
    path: '/metrics/tasks',
    operationId: 'getTaskMetrics',
    summary: 'Task counts by status, throughput and latencies',
    tags: ['metrics'],
    auth: true,
    responses: { 200: { description: 'Task metrics.', schema: TaskMetricsSchema } },
    errors: ['SERVICE_UNAVAILABLE'],
    handler: async ({ services, principal }) => ({
      status: 200,
      body: await services.operations.taskMetrics(principal),
    }),
  }),
  defineRoute({
    method: 'GET',
    path: '/metrics/performance',
    operationId: 'getPerformanceMetrics',
    summary: 'Throughput and latency percentiles over the trailing window',
    tags: ['metrics'],
    auth: true,
    responses: { 200: { description: 'Performance metrics.', schema: PerformanceMetricsSchema } },
    errors: ['SERVICE_UNAVAILABLE'],
    handler: async ({ services, principal }) => ({
      status: 200,
      body: await services.operations.performanceMetrics(principal),
    }),
  }),

  // --- API keys --------------------------------------------------------------------------------
  defineRoute({
    method: 'POST',
    path: '/api-keys',
    operationId: 'createApiKey',
    summary: 'Create an API key (admin)',
    description: 'The key (cfk_<id>_<secret>) is in this answer only; the gateway stores its hash.',
    tags: ['api keys'],
    auth: true,
    body: CreateApiKeyRequestSchema,
    responses: { 201: { description: 'The new key, shown once.', schema: CreatedApiKeySchema } },
    errors: [
      'VALIDATION_FAILED',
      'MALFORMED_JSON',
      'UNSUPPORTED_MEDIA_TYPE',
      'PAYLOAD_TOO_LARGE',
      'FORBIDDEN',
    ],
    handler: async ({ services, principal, body }) => ({
      status: 201,
      body: await services.operations.createApiKey(principal, body),
    }),
  }),
  defineRoute({
    method: 'GET',
    path: '/api-keys',
    operationId: 'listApiKeys',
    summary: 'List API keys, revoked ones included (admin)',
    tags: ['api keys'],
    auth: true,
    responses: { 200: { description: 'Every key, without secrets or hashes.', schema: ApiKeyListSchema } },
    errors: ['FORBIDDEN'],
    handler: async ({ services, principal }) => ({
      status: 200,
      body: { apiKeys: await services.operations.listApiKeys(principal) },
    }),
  }),
  defineRoute({
    method: 'DELETE',
    path: '/api-keys/{id}',
    operationId: 'revokeApiKey',
    summary: 'Revoke an API key (admin)',
    description: 'Idempotent; the key stays listed with revokedAt.',
    tags: ['api keys'],
    auth: true,
    params: ApiKeyIdParams,
    responses: { 200: { description: 'The revoked key.', schema: ApiKeyViewSchema } },
    errors: ['API_KEY_NOT_FOUND', 'FORBIDDEN'],
    handler: async ({ services, principal, params }) => ({
      status: 200,
      body: await services.operations.revokeApiKey(principal, param(params, 'id')),
    }),
  }),

  // --- jobs ------------------------------------------------------------------------------------
  defineRoute({
    method: 'POST',
    path: '/jobs/repository',
    operationId: 'submitRepositoryJob',
    summary: 'Analyse a repository as one job (split into chunks across agents)',
    description:
      'JSON: a directory the agents can read (absolute, no ..). Or the repository itself as a .tar.gz body (application/gzip), job options in the query; it is unpacked into the gateway workspace, which the agents must share. Follow the job like any task: GET /tasks/{jobId}, /tasks/stream/{jobId} (a progress event per finished chunk), GET /tasks/{jobId}/result (the RepoReport). DELETE /tasks/{jobId} cancels every chunk.',
    tags: ['jobs'],
    auth: true,
    query: RepositoryArchiveQuerySchema,
    body: RepositoryJobRequestSchema,
    rawBody: {
      contentTypes: ['application/gzip', 'application/x-gzip', 'application/x-tar+gzip'],
      description: 'A gzip-compressed tar archive of regular files and directories.',
    },
    responses: {
      202: {
        description: 'Accepted; the job is the task /tasks/{jobId}.',
        schema: SubmitJobResponseSchema,
        headers: { Location: { description: "The job's task resource, /tasks/{jobId}.", required: true } },
      },
    },
    errors: [
      'VALIDATION_FAILED',
      'MALFORMED_JSON',
      'UNSUPPORTED_MEDIA_TYPE',
      'PAYLOAD_TOO_LARGE',
      'IDEMPOTENCY_CONFLICT',
      'SERVICE_UNAVAILABLE',
    ],
    handler: async ({ services, principal, body, raw, query }) => {
      const { task, created } = raw
        ? await services.operations.submitRepositoryArchive(principal, raw, query)
        : await services.operations.submitRepositoryJob(principal, body);
      return {
        status: 202,
        body: { jobId: task.id, status: task.status },
        headers: { Location: `/tasks/${task.id}`, ...(created ? {} : { 'Idempotent-Replayed': 'true' }) },
      };
    },
  }),

  // --- symbol search ---------------------------------------------------------------------------
  defineRoute({
    method: 'GET',
    path: '/search',
    operationId: 'searchSymbols',
    summary: 'Search the symbol index of your indexed results',
    description:
      "Full-text search over the symbols of succeeded indexer results (yours; admins: everyone's). Every word must match (camelCase, snake_case and kebab-case are split), the last one as a prefix; exact names rank first, then matches in names above kinds, paths and signatures. Pass nextCursor as cursor for the next page.",
    tags: ['search'],
    auth: true,
    query: SymbolSearchQuerySchema,
    responses: { 200: { description: 'Ranked hits, best first.', schema: SymbolSearchResponseSchema } },
    errors: ['VALIDATION_FAILED'],
    handler: async ({ services, principal, query }) => ({
      status: 200,
      body: await services.operations.searchSymbols(principal, query),
    }),
  }),
];

export const ROUTE_TAGS: ReadonlyArray<{ name: string; description: string }> = [
  { name: 'tasks', description: 'Submit tasks, read their status and results, cancel them.' },
  { name: 'dead letters', description: 'Tasks that exhausted their attempts, and re-driving them.' },
  { name: 'agents', description: 'The agent fleet: registration, heartbeats, health.' },
  { name: 'metrics', description: 'Figures as JSON (Prometheus metrics are served separately).' },
  { name: 'api keys', description: 'API keys for agents and admins (admin only).' },
  { name: 'service', description: 'Liveness, readiness and this documentation.' },
  { name: 'search', description: 'The symbol index built from indexer results.' },
  { name: 'jobs', description: 'Repository analysis jobs, fanned out as chunks over the agents.' },
];
