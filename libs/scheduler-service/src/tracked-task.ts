import type { Task } from '@contextforge/contracts';

/** `finished`: final (succeeded, cancelled, dead-lettered) and forgotten; late callbacks see it. */
export type TrackedState = 'queued' | 'dispatching' | 'running' | 'retry_wait' | 'finished';

/** The scheduler's record of one task it has not finished with. */
export interface Tracked {
  task: Task;
  /** The latest dispatch epoch handed out for this task. */
  attempt: number;
  /** Failed attempts so far (bounced dispatches and drained hand-backs do not count). */
  failures: number;
  state: TrackedState;
  agentId?: string;
  timer?: NodeJS.Timeout;
  /** Set once the "no agent can run this" reason has been published for the current wait. */
  waitingReasonPublished?: boolean;
  /**
   * An attempt given up on (timeout) that its agent may still run. It is cancelled there only once
   * a newer attempt is dispatched or the task is final, so that the agent answering the cancel
   * with `cancelled` is stale for everyone instead of ending the task.
   */
  abandoned?: { endpoint: string; attempt: number; reason: string };
}
