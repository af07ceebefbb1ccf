// Original file: libs/contracts/proto/agent_service.proto

import type {
  Task as _contextforge_v1_Task,
  Task__Output as _contextforge_v1_Task__Output,
} from '../../contextforge/v1/Task';

export interface TaskStatusResponse {
  task?: _contextforge_v1_Task | null;
}

export interface TaskStatusResponse__Output {
  task?: _contextforge_v1_Task__Output;
}
