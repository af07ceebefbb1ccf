import type { TaskView } from '@contextforge/contracts';

/**
 * A task as the store keeps it: the public view plus the current attempt's claim, which never
 * leaves the store (the token is what fences an attempt, so only the claimant and its agent know it).
 */
export interface TaskRecord extends TaskView {
  /** The current attempt's fencing token (set by its claim). */
  claimToken?: string;
  /** The scheduler replica that claimed the current attempt. */
  claimedBy?: string;
  /** The process (instanceId) of the agent the current attempt went to. */
  agentInstance?: string;
  /** A dispatched attempt not started by then fails as DISPATCH_EXPIRED. */
  leaseExpiresAt?: string;
  /** A running attempt with no outcome by then fails as TASK_TIMEOUT. */
  deadlineAt?: string;
}

/** The record without what stays in the store. */
export function publicView(record: TaskRecord): TaskView {
  const {
    claimToken: _claimToken,
    claimedBy: _claimedBy,
    agentInstance: _agentInstance,
    leaseExpiresAt: _leaseExpiresAt,
    deadlineAt: _deadlineAt,
    ...view
  } = record;
  return view;
}
