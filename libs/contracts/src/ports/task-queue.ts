import type { SerializedError } from '../errors';
import type { TaskChangedMessage } from '../task-stream';
import type { TaskView } from '../task';

/**
 * The durable task queue that every scheduler replica serves at once (no leader). It lives in the
 * same tables as the task state (TaskRepository), so a claim, its `dispatched` event and the
 * change it announces commit together.
 *
 * Guarantees (contract suite, every adapter):
 * - `claim` takes queued tasks whose `notBefore` has passed in priority order (higher first), FIFO
 *   within a priority, only for agents with a free slot (in-flight counted in the store, across all
 *   replicas) that run the task's type and have every required capability. Each claimed task moves
 *   to `dispatched` with attempt + 1 and a new random fencing token. Two concurrent claims never
 *   take the same task, and never give one agent more than its concurrency.
 * - Every later event of that attempt is applied only with the token (STALE_TOKEN otherwise), so a
 *   stale owner (a paused or partitioned replica) or a forged report changes nothing.
 * - `expire`, `failAttemptsOn` and `settleFailures` are sweeps any replica may run at any time, in
 *   any number: each task is decided once, under its row lock.
 * - Every change these make is written to the outbox in the same transaction (see `relayOutbox`).
 *
 * Left out: per-tenant fairness (FIFO within a priority is global) and partitioning the queue by
 * type; claims are serialized by one transaction-level lock, which keeps the capacity count exact.
 */
export interface QueueAgent {
  id: string;
  /** The agent's process (AgentRegistration.instanceId), recorded with the attempts it gets. */
  instanceId?: string;
  /** Task types the agent runs. */
  taskTypes: readonly string[];
  capabilities: readonly string[];
  concurrency: number;
  weight: number;
}

/** An agent discovery lists as healthy, and its current process. */
export interface LiveAgent {
  id: string;
  instanceId?: string;
}

/** An agent that can take a task now, with its open attempts (for the balancing strategy). */
export interface ClaimCandidate {
  id: string;
  weight: number;
  inFlight: number;
}

export interface ClaimRequest {
  /** The claiming scheduler replica (recorded with the attempt, for operators). */
  owner: string;
  /** The agents that may take work now (healthy, breaker closed, not paused). */
  agents: readonly QueueAgent[];
  /** At most this many tasks (also bounded by the agents' free slots). */
  limit: number;
  /** A claimed attempt not `started` by its agent within this fails as DISPATCH_EXPIRED. */
  dispatchLeaseMs: number;
  /** Added to a task's timeoutMs (from the claim) before the attempt fails as TASK_TIMEOUT. */
  timeoutGraceMs: number;
  /**
   * Picks the agent among `candidates` (never empty: those that can run the task and have a free
   * slot), or undefined to leave the task queued. Called inside the claim, in queue order.
   */
  choose(task: TaskView, candidates: readonly ClaimCandidate[]): string | undefined;
}

export interface ClaimedAttempt {
  /** The task as dispatched (status `dispatched`, the new attempt, the chosen agent). */
  task: TaskView;
  agentId: string;
  attempt: number;
  token: string;
}

/** One attempt of a task, as its claim stamped it. */
export interface AttemptRef {
  taskId: string;
  attempt: number;
  token: string;
}

export interface ClaimOutcome {
  claimed: ClaimedAttempt[];
  /**
   * The earliest `notBefore` of a queued task still in the future, when there is one: the caller
   * claims again then.
   */
  nextRetryAt?: Date;
}

/** An attempt a sweep failed: who ran it, so its agent can be told to abort. */
export interface FailedAttempt {
  task: TaskView;
  agentId?: string;
  attempt: number;
}

export interface QueueFigures {
  /** TASK_PRIORITY_MAX + 1 entries. */
  queuedByPriority: number[];
  inFlightByAgent: Record<string, number>;
}

/** The scheduler's policy for a failed attempt (failure-policy.ts), applied by settleFailures. */
export type RetryDecision =
  | { kind: 'retry'; failures: number; delayMs: number; reason: string }
  | { kind: 'dead_letter'; failures: number; reason: string };

export interface TaskQueue {
  claim(request: ClaimRequest): Promise<ClaimOutcome>;
  /**
   * Hands a claimed attempt back (the agent refused it, or it could not be reached): the task is
   * queued again in the same attempt, fenced by `token`. False when the attempt had moved on.
   */
  release(taskId: string, attempt: number, token: string, reason: string): Promise<boolean>;
  /**
   * Records that these attempts' agents accepted them (the dispatch call returned): a dispatched
   * attempt, fenced by attempt and token, no longer expires at its dispatch lease, only at its
   * deadline (its agent's `started` may reach the store late under load; the lease is for a
   * replica that dies between the claim and the call). Returns how many it confirmed.
   */
  confirmDispatched(attempts: readonly AttemptRef[]): Promise<number>;
  /**
   * Fails open attempts past their time: TASK_TIMEOUT for a `running` one past timeoutMs + grace,
   * DISPATCH_EXPIRED for a `dispatched` one past its lease. At most `limit` per call.
   */
  expire(limit: number): Promise<FailedAttempt[]>;
  /** Fails every open (dispatched or running) attempt on these agents with `error`. */
  failAttemptsOn(agentIds: readonly string[], error: SerializedError): Promise<FailedAttempt[]>;
  /**
   * The reconciler: fails as AGENT_LOST the open attempts that have not changed for `olderThanMs`
   * and whose agent is not among `live`, or is there as another process (another instanceId: it
   * restarted and does not run them). Catches what no replica saw happen (all were down).
   */
  failOrphans(live: readonly LiveAgent[], olderThanMs: number): Promise<FailedAttempt[]>;
  /**
   * Decides failed attempts, at most `limit`: a retry queues the task again with `notBefore` =
   * now + delayMs, a dead-letter ends it. `decide` reads the task (its failures so far, lastError).
   */
  settleFailures(
    decide: (task: TaskView, error: SerializedError) => RetryDecision,
    limit: number,
  ): Promise<TaskView[]>;
  /**
   * Gives queued tasks that none of `agents` (every healthy agent) can run a status reason saying
   * so, once per wait (tasks that already carry a reason are left alone). At most `limit`.
   */
  markUnrunnable(
    agents: ReadonlyArray<Pick<QueueAgent, 'taskTypes' | 'capabilities'>>,
    limit: number,
  ): Promise<TaskView[]>;
  /** Queued tasks by priority (index = priority) and open attempts per agent, for the gauges. */
  queueFigures(): Promise<QueueFigures>;
  /**
   * Publishes outbox rows (changes committed with their state) in commit order through `publish`,
   * then deletes them; at least once. Returns how many it published, or -1 when another relay
   * holds the outbox (the caller tries again soon). A failed publish leaves the rows for the next
   * call.
   */
  relayOutbox(publish: (changes: TaskChangedMessage[]) => Promise<void>, limit: number): Promise<number>;
}
