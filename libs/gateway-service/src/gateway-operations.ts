import {
  AgentRegistrationSchema,
  AppError,
  BatchSubmitRequestSchema,
  CreateApiKeyRequestSchema,
  DeadLettersQuerySchema,
  ListTasksQuerySchema,
  RedriveRequestSchema,
  SymbolSearchQuerySchema,
  TaskSubmissionSchema,
  apiKeyView,
  isAdmin,
  parseOrThrow,
  type Agent,
  type AgentMetrics,
  type AgentsHealth,
  type ApiKeyStore,
  type ApiKeyView,
  type Principal,
  type RegistryApi,
  type ResultStoreApi,
  type StoredApiKey,
  type SubmitOptions,
  type TaskSubmission,
  type TaskView,
} from '@contextforge/contracts';
import { generateApiKey } from '@contextforge/auth';
import { z } from 'zod';
import type { GatewayOperations } from './operations';
import { TypeVersions, readsFilesByPath, resultCacheKey } from './result-cache-key';
import { RepositoryJobs, type RepositoryJobSettings } from './jobs/repository-jobs';

export interface GatewayOperationsDeps {
  resultStore: ResultStoreApi;
  registry: RegistryApi;
  apiKeys: ApiKeyStore;
  /**
   * Called before `count` tasks are submitted for `principal`; rejects with RATE_LIMITED (and
   * details.retryAfterMs; the HTTP error handler turns it into Retry-After) when the principal is over its task limit. Default: no limit.
   */
  limitTasks?: (principal: Principal, count: number) => Promise<void>;
  /** Told about every revocation, e.g. to drop the key from an authenticator's cache. */
  onApiKeyRevoked?: (keyId: string) => void;
  now?: () => Date;
  /** How long the registry listing behind result-cache keys is reused (default 1,000 ms). */
  typeVersionsTtlMs?: number;
  /** Where uploaded repositories are unpacked and how much (defaults: DEFAULT_REPOSITORY_JOB_SETTINGS). */
  repositoryJobs?: Partial<RepositoryJobSettings>;
}

const TaskIdSchema = z.uuid();
/** Agent and key ids as path segments: anything else cannot name one, so it answers "not found". */
const IdSchema = z.string().min(1).max(200);
const AfterSeqSchema = z.int().min(0);

/** The gateway's use cases over the result-store, the registry and the API key store. */
export function createGatewayOperations(deps: GatewayOperationsDeps): GatewayOperations {
  const { resultStore, registry, apiKeys } = deps;
  const limitTasks = deps.limitTasks ?? (async () => undefined);
  const now = deps.now ?? (() => new Date());
  const typeVersions = new TypeVersions(registry, deps.typeVersionsTtlMs ?? 1_000);

  /** The submission's result-cache key, when the fleet advertises one version of its type. */
  const cacheOptions = async (submission: TaskSubmission): Promise<SubmitOptions> => {
    if (readsFilesByPath(submission.input)) return {};
    const version = await typeVersions.versionOf(submission.type);
    return version === undefined
      ? {}
      : { cacheKey: resultCacheKey(submission.type, version, submission.input) };
  };
  const repositoryJobs = new RepositoryJobs(resultStore, deps.repositoryJobs);

  const canSee = (principal: Principal, task: TaskView): boolean =>
    isAdmin(principal) || task.clientId === principal.id;

  /** Another client's task is reported exactly like an unknown id, so ids reveal nothing. */
  const loadTask = async (principal: Principal, taskId: string): Promise<TaskView> => {
    const parsed = TaskIdSchema.safeParse(taskId);
    const task = parsed.success ? await resultStore.getTask(parsed.data) : undefined;
    if (!task || !canSee(principal, task)) throw new AppError('TASK_NOT_FOUND', `no task ${String(taskId)}`);
    return task;
  };

  const requireAdmin = (principal: Principal, what: string): void => {
    if (!isAdmin(principal)) throw new AppError('FORBIDDEN', `${what} needs the admin role`);
  };

  /** Admins manage every agent; agent keys only the agent they are bound to (any, when unbound). */
  const requireAgentAccess = (principal: Principal, agentId: string, what: string): void => {
    if (isAdmin(principal)) return;
    if (principal.kind !== 'agent') {
      throw new AppError('FORBIDDEN', `${what} needs an agent API key or the admin role`);
    }
    if (principal.agentId !== undefined && principal.agentId !== agentId) {
      throw new AppError('FORBIDDEN', `this API key may only act as agent ${principal.agentId}`, {
        details: { agentId: principal.agentId },
      });
    }
  };

  const agentIdOrThrow = (agentId: string): string => {
    const parsed = IdSchema.safeParse(agentId);
    if (!parsed.success) throw new AppError('AGENT_NOT_FOUND', 'no agent with this id');
    return parsed.data;
  };

  const redriveOwn = async (principal: Principal, taskIds: readonly string[]) => {
    const own: string[] = [];
    const skipped: Array<{ taskId: string; code: string; message: string }> = [];
    for (const taskId of taskIds) {
      const task = await resultStore.getTask(taskId);
      if (task && canSee(principal, task)) own.push(taskId);
      else skipped.push({ taskId, code: 'TASK_NOT_FOUND', message: `no task ${taskId}` });
    }
    const outcome = own.length > 0 ? await resultStore.redrive(own) : { redriven: [], skipped: [] };
    return { redriven: outcome.redriven, skipped: [...outcome.skipped, ...skipped] };
  };

  const operations: GatewayOperations = {
    async submitTask(principal, submission) {
      const parsed = parseOrThrow(TaskSubmissionSchema, submission, 'task submission');
      await limitTasks(principal, 1);
      return resultStore.submit(parsed, principal.id, await cacheOptions(parsed));
    },

    async submitTasks(principal, request) {
      const { tasks } = parseOrThrow(BatchSubmitRequestSchema, request, 'batch request');
      await limitTasks(principal, tasks.length);
      const items = await Promise.all(
        tasks.map(async (submission) => ({ submission, options: await cacheOptions(submission) })),
      );
      const outcomes = await resultStore.submitBatch(items, principal.id);
      return {
        tasks: outcomes.map(({ task, created }, index) => ({
          index,
          taskId: task.id,
          status: task.status,
          ...(task.fromCache ? { fromCache: true } : {}),
          ...(created ? {} : { replayed: true }),
        })),
      };
    },

    async searchSymbols(principal, query) {
      const parsed = parseOrThrow(SymbolSearchQuerySchema, query ?? {}, 'search query');
      return resultStore.searchSymbols({
        text: parsed.q,
        ...(isAdmin(principal) ? {} : { clientId: principal.id }),
        ...(parsed.kind ? { kinds: [parsed.kind] } : {}),
        ...(parsed.language ? { language: parsed.language } : {}),
        limit: parsed.limit,
        ...(parsed.cursor ? { cursor: parsed.cursor } : {}),
      });
    },

    getTask: loadTask,

    async getResult(principal, taskId) {
      const task = await loadTask(principal, taskId);
      const result = task.status === 'succeeded' ? await resultStore.getResult(task.id) : undefined;
      if (result) return result;
      // details.retryable: whether asking again can ever give a result (the error body has no
      // retryable field of its own).
      const retryable = task.status !== 'cancelled' && task.status !== 'dead_lettered';
      throw new AppError('RESULT_NOT_AVAILABLE', `task ${task.id} is ${task.status}; it has no result`, {
        details: { status: task.status, retryable, ...(task.lastError ? { lastError: task.lastError } : {}) },
        retryable,
      });
    },

    async cancelTask(principal, taskId) {
      const task = await loadTask(principal, taskId);
      return resultStore.cancel(task.id, `cancelled through the API by ${principal.id}`);
    },

    async listTasks(principal, query) {
      const parsed = parseOrThrow(ListTasksQuerySchema, query ?? {}, 'query');
      return resultStore.listTasks({
        ...(isAdmin(principal) ? {} : { clientId: principal.id }),
        limit: parsed.limit,
        ...(parsed.status ? { status: parsed.status } : {}),
        ...(parsed.type ? { type: parsed.type } : {}),
        ...(parsed.agent ? { agentId: parsed.agent } : {}),
        ...(parsed.cursor ? { cursor: parsed.cursor } : {}),
      });
    },

    async taskEvents(principal, taskId, afterSeq) {
      const task = await loadTask(principal, taskId);
      const after = parseOrThrow(AfterSeqSchema, afterSeq, 'sequence number');
      return resultStore.taskEvents(task.id, after);
    },

    async listDeadLetters(principal, query) {
      const parsed = parseOrThrow(DeadLettersQuerySchema, query ?? {}, 'query');
      return resultStore.listTasks({
        ...(isAdmin(principal) ? {} : { clientId: principal.id }),
        status: 'dead_lettered',
        limit: parsed.limit,
        ...(parsed.cursor ? { cursor: parsed.cursor } : {}),
      });
    },

    async redrive(principal, taskIds) {
      const parsed = parseOrThrow(RedriveRequestSchema, { taskIds }, 'redrive request');
      return redriveOwn(principal, parsed.taskIds);
    },

    async redriveTask(principal, taskId) {
      const task = await loadTask(principal, taskId);
      const [redriven] = (await resultStore.redrive([task.id])).redriven;
      if (redriven) return redriven;
      const current = (await resultStore.getTask(task.id)) ?? task;
      throw new AppError(
        'TASK_NOT_DEAD_LETTERED',
        `task ${task.id} is ${current.status}; only dead-lettered tasks can be re-driven`,
        { details: { status: current.status } },
      );
    },

    async registerAgent(principal, registration) {
      if (!isAdmin(principal) && principal.kind !== 'agent') {
        throw new AppError('FORBIDDEN', 'registering agents needs an agent API key or the admin role');
      }
      const parsed = parseOrThrow(AgentRegistrationSchema, registration, 'agent registration');
      requireAgentAccess(principal, parsed.id, 'registering agents');
      return registry.register(parsed);
    },

    async heartbeatAgent(principal, agentId) {
      const id = agentIdOrThrow(agentId);
      requireAgentAccess(principal, id, 'heartbeats');
      await registry.heartbeat(id);
    },

    async deregisterAgent(principal, agentId) {
      const id = agentIdOrThrow(agentId);
      requireAgentAccess(principal, id, 'deregistering agents');
      await registry.deregister(id);
    },

    listAgents: () => registry.listAgents(),

    async getAgent(_principal, agentId) {
      const id = agentIdOrThrow(agentId);
      const agent = await registry.getAgent(id);
      if (!agent) throw new AppError('AGENT_NOT_FOUND', `no agent ${id}`);
      return agent;
    },

    async agentsHealth() {
      return agentsHealthOf(await registry.listAgents());
    },

    async agentMetrics() {
      const [agents, metrics] = await Promise.all([registry.listAgents(), resultStore.taskMetrics()]);
      return agentMetricsOf(agents, metrics.inFlightByAgent, now());
    },

    taskMetrics: () => resultStore.taskMetrics(),

    async performanceMetrics() {
      const { at, window, latencyMs, runTimeMs } = await resultStore.taskMetrics();
      return { at, window, latencyMs, runTimeMs };
    },

    async createApiKey(principal, request) {
      requireAdmin(principal, 'managing API keys');
      const parsed = parseOrThrow(CreateApiKeyRequestSchema, request, 'API key request');
      const generated = generateApiKey();
      const stored: StoredApiKey = {
        id: generated.id,
        name: parsed.name,
        role: parsed.role,
        ...(parsed.agentId === undefined ? {} : { agentId: parsed.agentId }),
        hash: generated.hash,
        createdBy: principal.id,
        createdAt: now().toISOString(),
      };
      await apiKeys.create(stored);
      return { key: generated.key, apiKey: apiKeyView(stored) };
    },

    async listApiKeys(principal) {
      requireAdmin(principal, 'managing API keys');
      return (await apiKeys.list()).map(apiKeyView);
    },

    async revokeApiKey(principal, keyId): Promise<ApiKeyView> {
      requireAdmin(principal, 'managing API keys');
      const id = IdSchema.safeParse(keyId);
      const revoked = id.success ? await apiKeys.revoke(id.data, now().toISOString()) : undefined;
      if (!revoked) throw new AppError('API_KEY_NOT_FOUND', `no API key ${String(keyId)}`);
      deps.onApiKeyRevoked?.(revoked.id);
      return apiKeyView(revoked);
    },

    async submitRepositoryJob(principal, request) {
      await limitTasks(principal, 1);
      return repositoryJobs.submitPath(principal, request);
    },

    async submitRepositoryArchive(principal, archive, query) {
      await limitTasks(principal, 1);
      return repositoryJobs.submitArchive(principal, archive, query);
    },
  };
  return operations;
}

export function agentsHealthOf(agents: readonly Agent[]): AgentsHealth {
  const counts = { healthy: 0, draining: 0, unhealthy: 0, total: agents.length };
  for (const agent of agents) counts[agent.status] += 1;
  const status = counts.healthy === 0 ? 'down' : counts.healthy === counts.total ? 'ok' : 'degraded';
  return {
    status,
    counts,
    agents: agents.map(({ id, status: agentStatus, circuit, lastHeartbeatAgeMs, statusNote }) => ({
      id,
      status: agentStatus,
      circuit,
      lastHeartbeatAgeMs,
      ...(statusNote === undefined ? {} : { statusNote }),
    })),
  };
}

export function agentMetricsOf(
  agents: readonly Agent[],
  inFlightByAgent: Readonly<Record<string, number>>,
  at: Date,
): AgentMetrics {
  const byStatus = { healthy: 0, draining: 0, unhealthy: 0 };
  const byCircuit = { closed: 0, open: 0, half_open: 0 };
  let capacity = 0;
  for (const agent of agents) {
    byStatus[agent.status] += 1;
    byCircuit[agent.circuit] += 1;
    if (agent.status === 'healthy') capacity += agent.concurrency;
  }
  // Counted over every agent the store reports, also ones no longer registered (lost attempts).
  const inFlight = Object.values(inFlightByAgent).reduce((sum, count) => sum + count, 0);
  return {
    at: at.toISOString(),
    total: agents.length,
    byStatus,
    byCircuit,
    capacity,
    inFlight,
    utilisation: capacity === 0 ? 0 : inFlight / capacity,
    agents: agents.map((agent) => ({
      id: agent.id,
      status: agent.status,
      circuit: agent.circuit,
      concurrency: agent.concurrency,
      inFlight: inFlightByAgent[agent.id] ?? 0,
    })),
  };
}
