// Original file: libs/contracts/proto/agent_service.proto

export interface SubmitTaskRequest {
  type?: string;
  inputJson?: string;
  priority?: number;
  requiredCapabilities?: string[];
  timeoutMs?: number;
  maxAttempts?: number;
  idempotencyKey?: string;
  _priority?: 'priority';
  _timeoutMs?: 'timeoutMs';
  _maxAttempts?: 'maxAttempts';
  _idempotencyKey?: 'idempotencyKey';
}

export interface SubmitTaskRequest__Output {
  type?: string;
  inputJson?: string;
  priority?: number;
  requiredCapabilities: string[];
  timeoutMs?: number;
  maxAttempts?: number;
  idempotencyKey?: string;
}
