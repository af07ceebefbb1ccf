/**
 * Where an attempt's output lives when it is too large for a bus message (payloads.ts): the
 * agent stores it here, then publishes `succeeded` with the returned id as `outputRef`; the
 * result-store resolves the id when it applies that event, so the task's result is the content.
 *
 * Guarantees (contract suite, every adapter):
 * - `put` is fenced like the event that will refer to the payload: it is accepted only for the
 *   task's current attempt (STALE_ATTEMPT otherwise) with that attempt's fencing token when it has
 *   one (STALE_TOKEN), and only while a `succeeded` of that attempt could still be applied
 *   (INVALID_TRANSITION once the task is final); TASK_NOT_FOUND for an unknown task. The check and
 *   the write happen under the task's row lock, so a refused upload stores nothing, and a stale
 *   owner (a superseded attempt, a forged report) cannot plant an output.
 * - Ids are random; `get` returns the content as JSON, exactly as it was stored, with its owner.
 * - A payload only becomes a result through a `succeeded` event of its own task and attempt.
 *
 * Adapters: the result-store itself (embedded, in-process) and HttpPayloadStore (cluster:
 * `PUT /internal/v1/tasks/{taskId}/attempts/{attempt}/output` on the result-store).
 *
 * Left out: inputs (a submission's input is stored with its task, and dispatch carries it to the
 * agent over HTTP or in-process, never over the bus); streaming (the content is one JSON value in
 * memory, bounded by `network.body_limit` over HTTP); removing payloads no event referred to (an
 * attempt that uploaded and then lost): they are deleted with their task, and retention is an
 * operations job, as for tasks.
 */
export interface PayloadOwner {
  taskId: string;
  /** The attempt that produced the content (Assignment.attempt). */
  attempt: number;
  /** The attempt's fencing token (Assignment.token); needed when the attempt has one. */
  token?: string;
}

export interface PayloadRef {
  /** What a `succeeded` event carries as `outputRef`. */
  id: string;
  /** The UTF-8 bytes of the content's JSON. */
  bytes: number;
}

export interface StoredPayload extends PayloadRef {
  taskId: string;
  attempt: number;
  content: unknown;
  createdAt: string;
}

export interface PayloadStore {
  /** Stores an attempt's output; resolves with its id once it is durable. */
  put(owner: PayloadOwner, content: unknown): Promise<PayloadRef>;
  /** The payload with this id, or undefined. */
  get(id: string): Promise<StoredPayload | undefined>;
}
