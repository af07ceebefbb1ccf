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

export interface ResultStoreApi {
  submit(submission: TaskSubmission, clientId: string): Promise<SubmitOutcome>;
  getTask(id: string): Promise<TaskView | undefined>;
  getResult(taskId: string): Promise<TaskResultView | undefined>;
  listTasks(filter: ListTasksFilter): Promise<TaskPage>;
}

export interface RegistryApi {
  listAgents(): Promise<Agent[]>;
  getAgent(id: string): Promise<Agent | undefined>;
}
