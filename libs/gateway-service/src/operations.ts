import type {
  Agent,
  AgentMetrics,
  AgentRegistrationInput,
  AgentsHealth,
  ApiKeyView,
  BatchSubmitResponse,
  CreateApiKeyRequest,
  CreatedApiKey,
  ListTasksQuery,
  PerformanceMetrics,
  Principal,
  RedriveOutcome,
  SubmitOutcome,
  SymbolSearchResponse,
  TaskMetrics,
  TaskPage,
  TaskResultView,
  TaskStreamEvent,
  TaskSubmissionInput,
  TaskView,
} from '@contextforge/contracts';

/**
 * The gateway's use cases, shared by every protocol: REST routes, WebSocket streams and gRPC
 * methods are thin adapters that authenticate, call one of these, and render the answer or the
 * AppError in their own way. Validation of inputs (zod, the same schemas the OpenAPI document is
 * generated from) and authorization happen HERE, so the three protocols cannot drift apart.
 * Inputs are `unknown` where they come from the wire; they are parsed here.
 *
 * Authorization (Principal): a client sees, cancels and re-drives only its own tasks (another
 * client's task answers TASK_NOT_FOUND, exactly like an unknown or malformed id); admins see all
 * tasks and manage agents and API keys (FORBIDDEN otherwise); agent keys may register, heartbeat
 * and deregister agents (only their bound agentId when the key has one) and submit tasks, which
 * belong to the key's principal id. Every authenticated principal may read agents and metrics.
 */
export interface GatewayOperations {
  /**
   * Validates the submission (VALIDATION_FAILED), applies the task rate limit, submits as
   * principal.id. With the result-cache key of the submission (see result-cache-key.ts) when the
   * fleet advertises one version of its type: a repeat of an earlier success of the same
   * principal is answered already succeeded (`fromCache`) and never dispatched.
   */
  submitTask(principal: Principal, submission: unknown): Promise<SubmitOutcome>;
  /**
   * Use case 2: N tasks in one request (BatchSubmitRequestSchema, errors name `tasks[i]...`),
   * charged N to the task rate limit, each submitted like submitTask (own idempotency key, own
   * cache key), answered in request order. Each result is read at GET /tasks/{taskId}/result.
   */
  submitTasks(principal: Principal, request: unknown): Promise<BatchSubmitResponse>;
  /**
   * GET /search (SymbolSearchQuerySchema): symbols indexed from the principal's task results
   * (admins: every client's), ranked; see SymbolSearchFilter for matching and ranking.
   */
  searchSymbols(principal: Principal, query: unknown): Promise<SymbolSearchResponse>;
  getTask(principal: Principal, taskId: string): Promise<TaskView>;
  /** RESULT_NOT_AVAILABLE (details.status, details.retryable) while the task has no result. */
  getResult(principal: Principal, taskId: string): Promise<TaskResultView>;
  /** TASK_ALREADY_FINAL for a task that already ended. */
  cancelTask(principal: Principal, taskId: string): Promise<TaskView>;
  /** `query` as ListTasksQuery (strings are coerced); admins list every client's tasks. */
  listTasks(principal: Principal, query: unknown): Promise<TaskPage>;
  /** Applied events of one of the principal's tasks after `afterSeq` (history for streams). */
  taskEvents(principal: Principal, taskId: string, afterSeq: number): Promise<TaskStreamEvent[]>;
  /** `query`: { limit?, cursor? }. */
  listDeadLetters(principal: Principal, query: unknown): Promise<TaskPage>;
  /** Re-drives those of `taskIds` the principal may see; the others are skipped as TASK_NOT_FOUND. */
  redrive(principal: Principal, taskIds: unknown): Promise<RedriveOutcome>;
  /** Re-drives one task: TASK_NOT_FOUND, or TASK_NOT_DEAD_LETTERED (details.status) when it is not. */
  redriveTask(principal: Principal, taskId: string): Promise<TaskView>;

  registerAgent(principal: Principal, registration: unknown): Promise<Agent>;
  heartbeatAgent(principal: Principal, agentId: string): Promise<void>;
  deregisterAgent(principal: Principal, agentId: string): Promise<void>;
  listAgents(principal: Principal): Promise<Agent[]>;
  getAgent(principal: Principal, agentId: string): Promise<Agent>;
  agentsHealth(principal: Principal): Promise<AgentsHealth>;

  agentMetrics(principal: Principal): Promise<AgentMetrics>;
  taskMetrics(principal: Principal): Promise<TaskMetrics>;
  performanceMetrics(principal: Principal): Promise<PerformanceMetrics>;

  createApiKey(principal: Principal, request: unknown): Promise<CreatedApiKey>;
  listApiKeys(principal: Principal): Promise<ApiKeyView[]>;
  /** API_KEY_NOT_FOUND for an unknown id; revoking twice keeps the first revocation. */
  revokeApiKey(principal: Principal, keyId: string): Promise<ApiKeyView>;

  /**
   * Use case 1: a repository job over `request.source.path` (RepositoryJobRequestSchema; absolute,
   * no `..`), a `repo-analysis` task of the principal whose progress and report are read through
   * the task endpoints. Counts as one task for the rate limit.
   */
  submitRepositoryJob(principal: Principal, request: unknown): Promise<SubmitOutcome>;
  /**
   * The same with an uploaded .tar.gz, unpacked into a new workspace directory first (see
   * RepositoryJobSettings); `query` is RepositoryArchiveQuerySchema. A refused archive (links,
   * devices, absolute or `..` paths, corrupt) is VALIDATION_FAILED; one above the limits
   * PAYLOAD_TOO_LARGE.
   */
  submitRepositoryArchive(
    principal: Principal,
    archive: AsyncIterable<Uint8Array>,
    query: unknown,
  ): Promise<SubmitOutcome>;
}

/** Shapes of answers and typed inputs for callers that build requests in code (gRPC, the client SDK). */
export type {
  AgentMetrics,
  AgentRegistrationInput,
  AgentsHealth,
  CreateApiKeyRequest,
  CreatedApiKey,
  ListTasksQuery,
  PerformanceMetrics,
  TaskSubmissionInput,
};
