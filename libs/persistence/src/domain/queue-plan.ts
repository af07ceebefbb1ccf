import { randomUUID } from 'node:crypto';
import {
  AppError,
  type ClaimCandidate,
  type ClaimRequest,
  type LiveAgent,
  type RetryDecision,
  type SerializedError,
  type TaskEvent,
  type TaskView,
} from '@contextforge/contracts';
import { publicView, type TaskRecord } from './task-record';

/**
 * The queue's decisions, shared by both adapters (each reads and locks the rows its own way and
 * then writes the events these return through planEvents, so claims, fencing and transitions have
 * one owner: the state machine plus this file).
 */

/** Whether an agent runs a task: its type, and every capability the task requires. */
export function agentRuns(
  agent: { taskTypes: readonly string[]; capabilities: readonly string[] },
  task: { type: string; requiredCapabilities: readonly string[] },
): boolean {
  return (
    agent.taskTypes.includes(task.type) &&
    task.requiredCapabilities.every((capability) => agent.capabilities.includes(capability))
  );
}

/** A claim decided: the `dispatched` event of each chosen task, and who got it. */
export interface PlannedClaim {
  record: TaskRecord;
  agentId: string;
  token: string;
  event: TaskEvent;
}

/**
 * Walks `queued` (ready tasks in queue order, already locked by the caller) and gives each to an
 * agent with a free slot that runs it, as `request.choose` picks; `inFlight` is every agent's
 * open attempts as the store counts them. A task no free agent runs, or that `choose` declines,
 * stays queued.
 */
export function planClaim(
  queued: readonly TaskRecord[],
  request: ClaimRequest,
  inFlight: ReadonlyMap<string, number>,
  now: Date,
): PlannedClaim[] {
  const open = new Map(request.agents.map((agent) => [agent.id, inFlight.get(agent.id) ?? 0]));
  const planned: PlannedClaim[] = [];
  for (const record of queued) {
    if (planned.length >= request.limit) break;
    const candidates: ClaimCandidate[] = request.agents
      .filter((agent) => (open.get(agent.id) ?? 0) < agent.concurrency && agentRuns(agent, record))
      .map((agent) => ({ id: agent.id, weight: agent.weight, inFlight: open.get(agent.id) ?? 0 }));
    if (candidates.length === 0) continue;
    const agentId = request.choose(publicView(record), candidates);
    if (agentId === undefined || !candidates.some((candidate) => candidate.id === agentId)) continue;
    open.set(agentId, (open.get(agentId) ?? 0) + 1);
    const token = randomUUID();
    planned.push({
      record,
      agentId,
      token,
      event: { ...eventBase(record, record.attempt + 1, now), type: 'dispatched', agentId, token },
    });
  }
  return planned;
}

/** Free slots across the request's agents, given their open attempts: the most a claim can take. */
export function freeSlots(request: ClaimRequest, inFlight: ReadonlyMap<string, number>): number {
  return request.agents.reduce(
    (sum, agent) => sum + Math.max(0, agent.concurrency - (inFlight.get(agent.id) ?? 0)),
    0,
  );
}

/** The claim's columns on a dispatched record: who claimed it and until when it may stay so. */
export function withClaim(record: TaskRecord, request: ClaimRequest, now: Date): TaskRecord {
  const instanceId = request.agents.find((agent) => agent.id === record.agentId)?.instanceId;
  const { agentInstance: _previous, ...rest } = record;
  return {
    ...rest,
    ...(instanceId === undefined ? {} : { agentInstance: instanceId }),
    claimedBy: request.owner,
    leaseExpiresAt: new Date(now.getTime() + request.dispatchLeaseMs).toISOString(),
    deadlineAt: new Date(now.getTime() + record.timeoutMs + request.timeoutGraceMs).toISOString(),
  };
}

/** Whether an open attempt is past its time, and the error it fails with. */
export function expiryOf(record: TaskRecord, now: Date): SerializedError | undefined {
  const at = now.getTime();
  if (record.status === 'dispatched') {
    const lease = Date.parse(record.leaseExpiresAt ?? '');
    const deadline = Date.parse(record.deadlineAt ?? '');
    if (at < Math.min(Number.isNaN(lease) ? Infinity : lease, Number.isNaN(deadline) ? Infinity : deadline)) {
      return undefined;
    }
    return new AppError(
      'DISPATCH_EXPIRED',
      `attempt ${record.attempt} was not started by ${record.agentId ?? 'its agent'} within its dispatch lease`,
    ).toJSON();
  }
  if (record.status === 'running') {
    const deadline = Date.parse(record.deadlineAt ?? '');
    if (Number.isNaN(deadline) || at < deadline) return undefined;
    return new AppError('TASK_TIMEOUT', `no outcome within ${record.timeoutMs} ms`).toJSON();
  }
  return undefined;
}

/** The `failed` event a sweep applies to an open attempt, under the attempt's own token. */
export function sweepFailure(record: TaskRecord, error: SerializedError, now: Date): TaskEvent {
  return {
    ...eventBase(record, record.attempt, now),
    type: 'failed',
    ...(record.agentId === undefined ? {} : { agentId: record.agentId }),
    error,
  };
}

/** The `queued` event that hands a claimed attempt back, carrying the caller's token. */
export function releaseEvent(
  taskId: string,
  attempt: number,
  token: string,
  reason: string,
  now: Date,
): TaskEvent {
  return {
    eventId: randomUUID(),
    taskId,
    attempt,
    at: now.toISOString(),
    token,
    type: 'queued',
    reason: reason.slice(0, 500),
  };
}

/** The event that carries out a retry decision for a failed attempt. */
export function decisionEvent(record: TaskRecord, decision: RetryDecision, now: Date): TaskEvent {
  const base = eventBase(record, record.attempt, now);
  if (decision.kind === 'retry') {
    return {
      ...base,
      type: 'queued',
      reason: decision.reason.slice(0, 500),
      failures: decision.failures,
      ...(decision.delayMs > 0
        ? { notBefore: new Date(now.getTime() + Math.ceil(decision.delayMs)).toISOString() }
        : {}),
    };
  }
  const error = record.lastError ?? new AppError('INTERNAL', 'failed without an error').toJSON();
  return {
    ...base,
    type: 'dead_lettered',
    failures: decision.failures,
    error: { ...error, details: { ...error.details, reason: decision.reason, attempts: decision.failures } },
  };
}

/** Whether an open attempt's agent is gone, or is now another process, by `live`. */
export function isOrphan(record: TaskRecord, live: readonly LiveAgent[]): boolean {
  const agent = live.find((entry) => entry.id === record.agentId);
  if (!agent) return true;
  return (
    agent.instanceId !== undefined &&
    record.agentInstance !== undefined &&
    agent.instanceId !== record.agentInstance
  );
}

/** The error of an open attempt whose agent is gone without any replica having seen it go. */
export function orphanError(task: TaskView): SerializedError {
  return new AppError('AGENT_LOST', `agent ${task.agentId ?? '(none)'} is not registered any more`).toJSON();
}

/** The status reason of a queued task no healthy agent can run. */
export function unrunnableEvent(record: TaskRecord, now: Date): TaskEvent {
  const capabilities = record.requiredCapabilities.length
    ? ` with capabilities ${record.requiredCapabilities.join(', ')}`
    : '';
  return {
    ...eventBase(record, record.attempt, now),
    type: 'queued',
    reason: `waiting: no healthy agent runs ${record.type}${capabilities}`.slice(0, 500),
  };
}

/** The error a failed attempt is decided on. */
export function failureOf(task: TaskView): SerializedError {
  return task.lastError ?? new AppError('INTERNAL', 'failed without an error').toJSON();
}

function eventBase(record: TaskRecord, attempt: number, now: Date) {
  return {
    eventId: randomUUID(),
    taskId: record.id,
    attempt,
    at: now.toISOString(),
    ...(record.claimToken !== undefined && attempt === record.attempt ? { token: record.claimToken } : {}),
  };
}
