import { randomUUID } from 'node:crypto';
import {
  AppError,
  jsonByteLength,
  type PayloadOwner,
  type PayloadRef,
  type PayloadStore,
  type StoredPayload,
} from '@contextforge/contracts';

interface FakeAttempt {
  attempt: number;
  token: string;
  final: boolean;
}

/**
 * A PayloadStore in a map, for what sits around the port (the internal HTTP routes, the agent
 * runtime); the product's adapters are the result-store itself and its HTTP client. Tasks and
 * their attempts are whatever the test opens (`open`, `supersede`, `finish`), fenced as the
 * contract suite asks. Records every accepted upload, and can be made to fail.
 */
export class FakePayloadStore implements PayloadStore {
  readonly payloads = new Map<string, StoredPayload>();
  private readonly attempts = new Map<string, FakeAttempt>();
  /** While set, every put rejects with it (a store outage). */
  failure: unknown;

  /** Opens a task at `attempt` (default 1) with `token` (default a fresh one). */
  open(taskId: string = randomUUID(), attempt = 1, token: string = randomUUID()): Required<PayloadOwner> {
    this.attempts.set(taskId, { attempt, token, final: false });
    return { taskId, attempt, token };
  }

  supersede(owner: PayloadOwner): Required<PayloadOwner> {
    const current = this.attempts.get(owner.taskId);
    const next = { attempt: (current?.attempt ?? 0) + 1, token: randomUUID(), final: false };
    this.attempts.set(owner.taskId, next);
    return { taskId: owner.taskId, attempt: next.attempt, token: next.token };
  }

  finish(owner: PayloadOwner): void {
    const current = this.attempts.get(owner.taskId);
    if (current) current.final = true;
  }

  async put(owner: PayloadOwner, content: unknown): Promise<PayloadRef> {
    if (this.failure !== undefined) throw this.failure;
    const current = this.attempts.get(owner.taskId);
    if (!current) throw new AppError('TASK_NOT_FOUND', `no task ${owner.taskId}`);
    if (owner.attempt !== current.attempt) throw new AppError('STALE_ATTEMPT', `attempt ${owner.attempt}`);
    if (owner.token !== current.token) throw new AppError('STALE_TOKEN', `attempt ${owner.attempt}`);
    if (current.final) throw new AppError('INVALID_TRANSITION', `task ${owner.taskId} is final`);
    const json: unknown = JSON.parse(JSON.stringify(content ?? null));
    const payload: StoredPayload = {
      id: randomUUID(),
      taskId: owner.taskId,
      attempt: owner.attempt,
      bytes: jsonByteLength(json),
      content: json,
      createdAt: new Date().toISOString(),
    };
    this.payloads.set(payload.id, payload);
    return { id: payload.id, bytes: payload.bytes };
  }

  async get(id: string): Promise<StoredPayload | undefined> {
    const payload = this.payloads.get(id);
    return payload && structuredClone(payload);
  }
}
