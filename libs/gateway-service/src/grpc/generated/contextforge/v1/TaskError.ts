// Original file: libs/contracts/proto/agent_service.proto

export interface TaskError {
  code?: string;
  message?: string;
  retryable?: boolean;
  detailsJson?: string;
}

export interface TaskError__Output {
  code?: string;
  message?: string;
  retryable?: boolean;
  detailsJson?: string;
}
