import type {
  Agent,
  AgentRegistrationInput,
  ApiKeyView,
  CreateApiKeyRequest,
  Principal,
  RedriveOutcome,
  SubmitOutcome,
  TaskMetrics,
  TaskPage,
  TaskResultView,
  TaskStatus,
  TaskStreamEvent,
  TaskSubmissionInput,
  TaskView,
} from '@contextforge/contracts';

/**
 * The gateway's use cases, shared by every protocol: REST routes, WebSocket streams and gRPC
 * methods are thin adapters that authenticate, call one of these, and render the answer or the
 * AppError in their own way. Validation of inputs (zod, the same schemas the OpenAPI document is
 * generated from) and authorization happen HERE, so the three protocols cannot drift apart.
 *
 * Authorization (Principal): a client sees, cancels and re-drives only its own tasks (another
 * client's task answers TASK_NOT_FOUND, exactly like an unknown id); admins see all tasks and
 * manage agents and API keys (FORBIDDEN otherwise); agent keys may register, heartbeat and
 * deregister agents (only their bound agentId when the key has one) and submit tasks.
 */
export interface ListTasksQuery {
  status?: TaskStatus;
  type?: string;
  agent?: string;
  limit?: number;
  cursor?: string;
}

export interface AgentsHealth {
  status: 'ok' | 'degraded' | 'down';
  counts: { healthy: number; draining: number; unhealthy: number; total: number };
  agents: Array<Pick<Agent, 'id' | 'status' | 'circuit' | 'lastHeartbeatAgeMs' | 'statusNote'>>;
}

export interface AgentMetrics {
  at: string;
  total: number;
  byStatus: Record<Agent['status'], number>;
  byCircuit: Record<Agent['circuit'], number>;
  /** Sum of `concurrency` over healthy agents. */
  capacity: number;
  /** Tasks in flight (dispatched or running), over all agents. */
  inFlight: number;
  /** inFlight / capacity, 0 when there is no capacity. */
  utilisation: number;
  agents: Array<{
    id: string;
    status: Agent['status'];
    circuit: Agent['circuit'];
    concurrency: number;
    inFlight: number;
  }>;
}

export interface CreatedApiKey {
  /** The key itself: shown once, never stored. */
  key: string;
  apiKey: ApiKeyView;
}

export interface GatewayOperations {
  submitTask(principal: Principal, submission: unknown): Promise<SubmitOutcome>;
  getTask(principal: Principal, taskId: string): Promise<TaskView>;
  getResult(principal: Principal, taskId: string): Promise<TaskResultView>;
  cancelTask(principal: Principal, taskId: string): Promise<TaskView>;
  listTasks(principal: Principal, query: unknown): Promise<TaskPage>;
  /** Applied events of one of the principal's tasks after `afterSeq` (history for streams). */
  taskEvents(principal: Principal, taskId: string, afterSeq: number): Promise<TaskStreamEvent[]>;
  listDeadLetters(principal: Principal, query: unknown): Promise<TaskPage>;
  redrive(principal: Principal, taskIds: readonly string[]): Promise<RedriveOutcome>;

  registerAgent(principal: Principal, registration: unknown): Promise<Agent>;
  heartbeatAgent(principal: Principal, agentId: string): Promise<void>;
  deregisterAgent(principal: Principal, agentId: string): Promise<void>;
  listAgents(principal: Principal): Promise<Agent[]>;
  getAgent(principal: Principal, agentId: string): Promise<Agent>;
  agentsHealth(principal: Principal): Promise<AgentsHealth>;

  agentMetrics(principal: Principal): Promise<AgentMetrics>;
  taskMetrics(principal: Principal): Promise<TaskMetrics>;
  performanceMetrics(
    principal: Principal,
  ): Promise<Pick<TaskMetrics, 'at' | 'window' | 'latencyMs' | 'runTimeMs'>>;

  createApiKey(principal: Principal, request: unknown): Promise<CreatedApiKey>;
  listApiKeys(principal: Principal): Promise<ApiKeyView[]>;
  revokeApiKey(principal: Principal, keyId: string): Promise<ApiKeyView>;
}

/** Typed inputs for callers that build requests in code (gRPC, the client SDK). */
export type { AgentRegistrationInput, CreateApiKeyRequest, TaskSubmissionInput };
