// Original file: libs/contracts/proto/agent_service.proto

import type {
  Task as _contextforge_v1_Task,
  Task__Output as _contextforge_v1_Task__Output,
} from '../../contextforge/v1/Task';

export interface SubmitTaskResponse {
  task?: _contextforge_v1_Task | null;
  created?: boolean;
}

export interface SubmitTaskResponse__Output {
  task?: _contextforge_v1_Task__Output;
  created?: boolean;
}
