import type { Agent } from '../agent';
import type { TaskSubmission, TaskResultView, TaskView } from '../task';
import type { ListTasksFilter, TaskPage } from './task-repository';

/**
 * What the gateway needs from the result-store and the registry. The embedded mode passes the
 * services themselves; the cluster passes HTTP clients with the same shape.
 */
export interface SubmitOutcome {
  task: TaskView;
  created: boolean;
}

export interface RedriveOutcome {
  /** Tasks queued again, each with a new attempt. */
  redriven: TaskView[];
  /** Tasks left as they were, with the error code saying why (TASK_NOT_FOUND, TASK_NOT_DEAD_LETTERED). */
  skipped: Array<{ taskId: string; code: string; message: string }>;
}

export interface ResultStoreApi {
  submit(submission: TaskSubmission, clientId: string): Promise<SubmitOutcome>;
  getTask(id: string): Promise<TaskView | undefined>;
  getResult(taskId: string): Promise<TaskResultView | undefined>;
  listTasks(filter: ListTasksFilter): Promise<TaskPage>;
  /**
   * Cancels a task that is not final: the task is `cancelled` in the store at once (so the answer
   * is definite and any gateway replica can do it) and the event is published for the scheduler,
   * which drops a queued task or asks the agent to abort the running attempt.
   * Throws TASK_NOT_FOUND, or TASK_ALREADY_FINAL for a task that already ended.
   */
  cancel(taskId: string, reason: string): Promise<TaskView>;
  /** Queues dead-lettered tasks again with a new attempt; others are reported as skipped. */
  redrive(taskIds: readonly string[]): Promise<RedriveOutcome>;
}

export interface RegistryApi {
  listAgents(): Promise<Agent[]>;
  getAgent(id: string): Promise<Agent | undefined>;
}
