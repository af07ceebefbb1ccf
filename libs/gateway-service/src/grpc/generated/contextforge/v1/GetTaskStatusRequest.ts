// Original file: libs/contracts/proto/agent_service.proto

export interface GetTaskStatusRequest {
  taskId?: string;
}

export interface GetTaskStatusRequest__Output {
  taskId?: string;
}
