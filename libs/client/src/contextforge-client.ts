import {
  AgentFeedEventSchema,
  AgentListSchema,
  AgentMetricsSchema,
  AgentSchema,
  AgentsHealthSchema,
  AgentsSnapshotSchema,
  ApiKeyListSchema,
  BatchSubmitResponseSchema,
  ApiKeyViewSchema,
  CreateApiKeyRequestSchema,
  CreatedApiKeySchema,
  HealthStatusSchema,
  MetricsTickSchema,
  PerformanceMetricsSchema,
  ReadinessStatusSchema,
  RedriveOutcomeSchema,
  RepoReportSchema,
  SubmitJobResponseSchema,
  SubmitTaskResponseSchema,
  SymbolSearchResponseSchema,
  TaskMetricsSchema,
  TaskPageSchema,
  TaskResultViewSchema,
  TaskViewSchema,
  type Agent,
  type AgentFeedEventMessage,
  type AgentMetrics,
  type AgentRegistrationInput,
  type AgentsHealth,
  type ApiKeyView,
  type BatchSubmitResponse,
  type CreatedApiKey,
  type MetricsTick,
  type PerformanceMetrics,
  type RepoReport,
  type RepositoryJobRequestSchema,
  type SYMBOL_KINDS,
  type SymbolSearchResponse,
  type TaskMetrics,
  type TaskResultView,
  type TaskStatus,
  type TaskStreamEvent,
  type TaskSubmissionInput,
  type TaskView,
} from '@contextforge/contracts';
import { z } from 'zod';
import { ContextForgeError } from './contextforge-error';
import { HttpRequester, type RequestOptions, type RetryOptions } from './http-requester';
import {
  resumableFeedStream,
  resumableTaskStream,
  type FeedMessage,
  type StreamFeedOptions,
  type StreamTaskOptions,
} from './resumable-stream';
import { defaultOpenStreamSocket, type OpenStreamSocket } from './stream-socket';

export interface ContextForgeClientOptions {
  /** The gateway, e.g. http://127.0.0.1:8080 (a path prefix behind a proxy is kept). */
  baseUrl: string;
  /** A client JWT (or an API key) sent as `Authorization: Bearer`; a function is asked before every call. */
  token?: string | (() => string | Promise<string>);
  /** An API key (cfk_...) sent as `X-API-Key`. */
  apiKey?: string;
  /** The fetch to use (default: the global one). */
  fetch?: typeof fetch;
  /** How a stream socket is opened (default: `ws` in Node, the global WebSocket elsewhere). */
  openStreamSocket?: OpenStreamSocket;
  /** Per REST call (default 60,000 ms). */
  timeoutMs?: number;
  /** Retry 429 RATE_LIMITED and 503 answers, honouring Retry-After; off by default. `true`: defaults. */
  retry?: RetryOptions | boolean;
  userAgent?: string;
}

/** Per-call options. */
export interface CallOptions {
  signal?: AbortSignal;
}

export type TaskPage = z.output<typeof TaskPageSchema>;
export type RedriveOutcome = z.output<typeof RedriveOutcomeSchema>;
/** GET /tasks query (ListTasksQuerySchema): filters, page size (1-500, default 50) and cursor. */
export interface ListTasksQuery {
  status?: TaskStatus;
  type?: string;
  agent?: string;
  limit?: number;
  cursor?: string;
}
export type ListTasksFilters = Omit<ListTasksQuery, 'cursor'>;

/** The 202 answer of submitTask. */
export interface SubmittedTask {
  taskId: string;
  status: TaskStatus;
  /** True when the idempotency key was seen before: this is the first task's answer again. */
  replayed: boolean;
}

/** One entry of a batch answer: the item's position in the request, its task and status. */
export type BatchSubmittedTask = BatchSubmitResponse['tasks'][number];

export type SymbolKind = (typeof SYMBOL_KINDS)[number];
/** GET /search filters and paging (limit 1-100, default 20). */
export interface SearchOptions {
  kind?: SymbolKind;
  language?: string;
  limit?: number;
  cursor?: string;
}
/** One page of ranked hits, best first; `nextCursor` when there are more. */
export type SearchPage = SymbolSearchResponse;
export type SymbolHit = SymbolSearchResponse['results'][number];

/** Options of a repository job given by path (RepositoryJobRequestSchema without `source`). */
export type RepositoryJobOptions = Omit<z.input<typeof RepositoryJobRequestSchema>, 'source'>;
/** The options an archive upload can carry (in the query string). */
export type ArchiveJobOptions = Pick<
  RepositoryJobOptions,
  'analyzers' | 'chunkBytes' | 'include' | 'exclude' | 'priority' | 'maxAttempts' | 'idempotencyKey'
>;
/**
 * What submitRepositoryJob analyses: a directory the agents can read (absolute, no `..`), or the
 * repository itself as a gzip-compressed tar archive (unpacked into the gateway's workspace).
 */
export type RepositoryJobSource =
  | ({ path: string } & RepositoryJobOptions)
  | ({ archive: Uint8Array | ReadableStream<Uint8Array> } & ArchiveJobOptions);

/** The 202 answer of submitRepositoryJob: the job is the task `jobId` (type repo-analysis). */
export interface SubmittedJob {
  jobId: string;
  status: TaskStatus;
  /** True when the idempotency key was seen before: this is the first job's answer again. */
  replayed: boolean;
}

export type AgentStreamMessage = FeedMessage<Agent[], AgentFeedEventMessage>;
export type MetricsStreamMessage = FeedMessage<MetricsTick, MetricsTick>;

/**
 * A typed client for the ContextForge gateway API (docs/api/README.md): every REST route and the
 * three WebSocket streams. Answers are validated with the contract schemas of
 * @contextforge/contracts; every failure is a ContextForgeError (code, status, message, details,
 * retryAfterMs). Works in Node 20+ and in browsers (streams then authenticate with
 * `?access_token=`).
 *
 * A route without a typed method yet can be called with `request` (a typed method is added here
 * when the route exists in libs/gateway-service/src/rest/routes.ts).
 */
export class ContextForgeClient {
  readonly baseUrl: string;
  private readonly http: HttpRequester;
  private readonly openSocket: OpenStreamSocket;
  private readonly token: ContextForgeClientOptions['token'];
  private readonly apiKey: string | undefined;

  constructor(options: ContextForgeClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.token = options.token;
    this.apiKey = options.apiKey;
    this.openSocket = options.openStreamSocket ?? defaultOpenStreamSocket();
    this.http = new HttpRequester({
      baseUrl: this.baseUrl,
      credentials: () => this.credentialHeaders(),
      fetch: options.fetch ?? ((input, init) => fetch(input, init)),
      timeoutMs: options.timeoutMs ?? 60_000,
      retry: options.retry === true ? {} : options.retry || undefined,
      userAgent: options.userAgent,
    });
  }

  /**
   * Any call, for routes without a typed method yet. `schema` validates a 2xx body; without one
   * the body is not read as JSON (204s). Errors map like every other call.
   */
  async request<T = undefined>(
    method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
    path: string,
    options: RequestOptions<T> = {},
  ): Promise<T> {
    return (await this.http.send(method, path, options)).body;
  }

  // --- tasks -----------------------------------------------------------------------------------

  /** POST /tasks/submit. A repeated idempotencyKey answers the first task again (`replayed`). */
  async submitTask(submission: TaskSubmissionInput, options: CallOptions = {}): Promise<SubmittedTask> {
    const answer = await this.http.send('POST', '/tasks/submit', {
      body: submission,
      schema: SubmitTaskResponseSchema,
      ...options,
    });
    return { ...answer.body, replayed: answer.headers.get('idempotent-replayed') === 'true' };
  }

  /** GET /tasks: one page, newest first; pass `nextCursor` as `cursor` for the next. */
  listTasks(query: ListTasksQuery = {}, options: CallOptions = {}): Promise<TaskPage> {
    return this.request('GET', '/tasks', { query: { ...query }, schema: TaskPageSchema, ...options });
  }

  /** Every task matching `filters`, page after page (`limit` is the page size). */
  iterateTasks(filters: ListTasksFilters = {}, options: CallOptions = {}): AsyncIterable<TaskView> {
    return this.pages((cursor) => this.listTasks({ ...filters, ...(cursor ? { cursor } : {}) }, options));
  }

  getTask(id: string, options: CallOptions = {}): Promise<TaskView> {
    return this.request('GET', `/tasks/${encodeURIComponent(id)}`, { schema: TaskViewSchema, ...options });
  }

  /** GET /tasks/{id}/result; RESULT_NOT_AVAILABLE (details.status, details.retryable) until it succeeded. */
  getResult(id: string, options: CallOptions = {}): Promise<TaskResultView> {
    return this.request('GET', `/tasks/${encodeURIComponent(id)}/result`, {
      schema: TaskResultViewSchema,
      ...options,
    });
  }

  /** DELETE /tasks/{id}; TASK_ALREADY_FINAL (409) once it finished. */
  cancelTask(id: string, options: CallOptions = {}): Promise<TaskView> {
    return this.request('DELETE', `/tasks/${encodeURIComponent(id)}`, { schema: TaskViewSchema, ...options });
  }

  /** POST /tasks/{id}/redrive: queue a dead-lettered task again. */
  redriveTask(id: string, options: CallOptions = {}): Promise<TaskView> {
    return this.request('POST', `/tasks/${encodeURIComponent(id)}/redrive`, {
      schema: TaskViewSchema,
      ...options,
    });
  }

  listDeadLetters(
    query: { limit?: number; cursor?: string } = {},
    options: CallOptions = {},
  ): Promise<TaskPage> {
    return this.request('GET', '/dead-letters', { query: { ...query }, schema: TaskPageSchema, ...options });
  }

  iterateDeadLetters(filters: { limit?: number } = {}, options: CallOptions = {}): AsyncIterable<TaskView> {
    return this.pages((cursor) =>
      this.listDeadLetters({ ...filters, ...(cursor ? { cursor } : {}) }, options),
    );
  }

  /** POST /dead-letters/redrive: what could not be re-driven is listed in `skipped`. */
  redriveDeadLetters(taskIds: readonly string[], options: CallOptions = {}): Promise<RedriveOutcome> {
    return this.request('POST', '/dead-letters/redrive', {
      body: { taskIds },
      schema: RedriveOutcomeSchema,
      ...options,
    });
  }

  // --- batches, search and repository jobs ----------------------------------------------------

  /**
   * POST /tasks/batch: up to 1,000 submissions (each like submitTask's, with its own
   * idempotencyKey) in one request. Answers one entry per item in request order (`index`); an
   * item answered from the result cache is already succeeded (`fromCache`), one whose key named an
   * earlier task answers that task (`replayed`). A validation error names the item (tasks[3].type)
   * and nothing is submitted.
   */
  async submitBatch(
    submissions: readonly TaskSubmissionInput[],
    options: CallOptions = {},
  ): Promise<BatchSubmittedTask[]> {
    const answer = await this.request('POST', '/tasks/batch', {
      body: { tasks: submissions },
      schema: BatchSubmitResponseSchema,
      ...options,
    });
    return answer.tasks;
  }

  /**
   * GET /search: symbols of your succeeded indexer results (admins: everyone's), ranked best
   * first. Every word of `query` must match (camelCase, snake_case and kebab-case are split), the
   * last as a prefix. One page; pass `nextCursor` as `cursor` for the next, or use iterateSearch.
   */
  search(query: string, filters: SearchOptions = {}, options: CallOptions = {}): Promise<SearchPage> {
    return this.request('GET', '/search', {
      query: { q: query, ...filters },
      schema: SymbolSearchResponseSchema,
      ...options,
    });
  }

  /** Every hit of `query`, page after page, in rank order (`limit` is the page size). */
  async *iterateSearch(
    query: string,
    filters: Omit<SearchOptions, 'cursor'> = {},
    options: CallOptions = {},
  ): AsyncGenerator<SymbolHit> {
    let cursor: string | undefined;
    do {
      const page = await this.search(query, { ...filters, ...(cursor ? { cursor } : {}) }, options);
      yield* page.results;
      cursor = page.nextCursor;
    } while (cursor !== undefined);
  }

  /**
   * POST /jobs/repository: one job that analyses a repository across the agents. `{path}` names a
   * directory the agents can read (the same machine in the embedded mode, a shared volume in a
   * cluster); `{archive}` uploads a .tar.gz (at most the gateway's body limit, 100 MB by default),
   * sent as application/gzip with the options in the query. A stream archive is sent once (never
   * retried). Follow the job with streamTask(jobId) (a `progress` event {done, total} per
   * finished chunk) and read its report with getRepositoryReport(jobId); cancelTask(jobId)
   * cancels every chunk.
   */
  async submitRepositoryJob(source: RepositoryJobSource, options: CallOptions = {}): Promise<SubmittedJob> {
    let request: RequestOptions<z.output<typeof SubmitJobResponseSchema>>;
    if ('archive' in source) {
      const { archive, analyzers, include, exclude, ...rest } = source;
      const list = (values: readonly string[] | undefined) => values?.join(',');
      request = {
        raw: { contentType: 'application/gzip', data: archive },
        query: { ...rest, analyzers: list(analyzers), include: list(include), exclude: list(exclude) },
      };
    } else {
      const { path, ...rest } = source;
      request = { body: { source: { path }, ...rest } };
    }
    const answer = await this.http.send('POST', '/jobs/repository', {
      ...request,
      schema: SubmitJobResponseSchema,
      ...options,
    });
    return { ...answer.body, replayed: answer.headers.get('idempotent-replayed') === 'true' };
  }

  /**
   * The report of a succeeded repository job (GET /tasks/{jobId}/result, its output checked
   * against RepoReportSchema). `complete: false` means files are missing: `missing` says which
   * and why. RESULT_NOT_AVAILABLE while the job runs or when it did not succeed.
   */
  async getRepositoryReport(jobId: string, options: CallOptions = {}): Promise<RepoReport> {
    const result = await this.getResult(jobId, options);
    const parsed = RepoReportSchema.safeParse(result.output);
    if (!parsed.success) {
      throw new ContextForgeError('INTERNAL', `task ${jobId} did not produce a repository report`, {
        status: 200,
        details: {
          issues: parsed.error.issues.map((issue) => ({
            path: issue.path.join('.'),
            message: issue.message,
          })),
        },
      });
    }
    return parsed.data;
  }

  // --- agents ----------------------------------------------------------------------------------

  registerAgent(registration: AgentRegistrationInput, options: CallOptions = {}): Promise<Agent> {
    return this.request('POST', '/agents/register', { body: registration, schema: AgentSchema, ...options });
  }

  /** AGENT_NOT_FOUND means the registry forgot the agent: register again. */
  async heartbeatAgent(id: string, options: CallOptions = {}): Promise<void> {
    await this.request('POST', `/agents/${encodeURIComponent(id)}/heartbeat`, options);
  }

  async deregisterAgent(id: string, options: CallOptions = {}): Promise<void> {
    await this.request('DELETE', `/agents/${encodeURIComponent(id)}`, options);
  }

  async listAgents(options: CallOptions = {}): Promise<Agent[]> {
    return (await this.request('GET', '/agents', { schema: AgentListSchema, ...options })).agents;
  }

  getAgent(id: string, options: CallOptions = {}): Promise<Agent> {
    return this.request('GET', `/agents/${encodeURIComponent(id)}`, { schema: AgentSchema, ...options });
  }

  agentsHealth(options: CallOptions = {}): Promise<AgentsHealth> {
    return this.request('GET', '/agents/health', { schema: AgentsHealthSchema, ...options });
  }

  // --- metrics ---------------------------------------------------------------------------------

  agentMetrics(options: CallOptions = {}): Promise<AgentMetrics> {
    return this.request('GET', '/metrics/agents', { schema: AgentMetricsSchema, ...options });
  }

  taskMetrics(options: CallOptions = {}): Promise<TaskMetrics> {
    return this.request('GET', '/metrics/tasks', { schema: TaskMetricsSchema, ...options });
  }

  performanceMetrics(options: CallOptions = {}): Promise<PerformanceMetrics> {
    return this.request('GET', '/metrics/performance', { schema: PerformanceMetricsSchema, ...options });
  }

  // --- API keys (admin) ------------------------------------------------------------------------

  /** The key itself is in this answer only. */
  createApiKey(
    request: z.input<typeof CreateApiKeyRequestSchema>,
    options: CallOptions = {},
  ): Promise<CreatedApiKey> {
    return this.request('POST', '/api-keys', { body: request, schema: CreatedApiKeySchema, ...options });
  }

  async listApiKeys(options: CallOptions = {}): Promise<ApiKeyView[]> {
    return (await this.request('GET', '/api-keys', { schema: ApiKeyListSchema, ...options })).apiKeys;
  }

  /** Idempotent; the key stays listed with revokedAt. */
  revokeApiKey(id: string, options: CallOptions = {}): Promise<ApiKeyView> {
    return this.request('DELETE', `/api-keys/${encodeURIComponent(id)}`, {
      schema: ApiKeyViewSchema,
      ...options,
    });
  }

  // --- service ---------------------------------------------------------------------------------

  /** GET /healthz (no credentials needed). */
  async health(options: CallOptions = {}): Promise<'ok'> {
    return (await this.request('GET', '/healthz', { schema: HealthStatusSchema, ...options })).status;
  }

  /** GET /readyz: `not_ready` arrives as a SERVICE_UNAVAILABLE error (503). */
  async readiness(options: CallOptions = {}): Promise<'ready' | 'not_ready'> {
    return (await this.request('GET', '/readyz', { schema: ReadinessStatusSchema, ...options })).status;
  }

  openApiDocument(options: CallOptions = {}): Promise<Record<string, unknown>> {
    return this.request('GET', '/openapi.json', { schema: z.record(z.string(), z.unknown()), ...options });
  }

  // --- streams ---------------------------------------------------------------------------------

  /**
   * /tasks/stream/{id}: every event of the task after `after`, each once and in seq order, across
   * disconnects and 4008 slow-consumer closes (it resumes with the last seq); ends when the task is
   * final. Break out of the loop or abort `signal` to stop early.
   */
  streamTask(id: string, options: StreamTaskOptions = {}): AsyncIterable<TaskStreamEvent> {
    return resumableTaskStream(
      (query) => this.openStream(`/tasks/stream/${encodeURIComponent(id)}`, query),
      options,
    );
  }

  /** /agents/stream: a snapshot of every agent, then status and circuit changes; resumes with the epoch. */
  streamAgents(options: StreamFeedOptions = {}): AsyncIterable<AgentStreamMessage> {
    return resumableFeedStream(
      (query) => this.openStream('/agents/stream', query),
      { snapshot: AgentsSnapshotSchema, event: AgentFeedEventSchema },
      options,
    );
  }

  /** /metrics/stream: a snapshot, then one tick (agent and task metrics) per gateway interval. */
  streamMetrics(options: StreamFeedOptions = {}): AsyncIterable<MetricsStreamMessage> {
    return resumableFeedStream(
      (query) => this.openStream('/metrics/stream', query),
      { snapshot: MetricsTickSchema, event: MetricsTickSchema },
      options,
    );
  }

  private async openStream(path: string, query: Record<string, string>) {
    const url = this.http.url(path, query);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    const token = typeof this.token === 'function' ? await this.token() : this.token;
    return this.openSocket(url.toString(), {
      ...(token === undefined ? {} : { token }),
      ...(this.apiKey === undefined ? {} : { apiKey: this.apiKey }),
    });
  }

  private async credentialHeaders(): Promise<Record<string, string>> {
    const token = typeof this.token === 'function' ? await this.token() : this.token;
    return {
      ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
      ...(this.apiKey === undefined ? {} : { 'x-api-key': this.apiKey }),
    };
  }

  private async *pages(read: (cursor: string | undefined) => Promise<TaskPage>): AsyncGenerator<TaskView> {
    let cursor: string | undefined;
    do {
      const page = await read(cursor);
      yield* page.tasks;
      cursor = page.nextCursor;
    } while (cursor !== undefined);
  }
}
