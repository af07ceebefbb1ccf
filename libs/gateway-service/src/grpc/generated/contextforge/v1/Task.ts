// Original file: libs/contracts/proto/agent_service.proto

import type {
  TaskError as _contextforge_v1_TaskError,
  TaskError__Output as _contextforge_v1_TaskError__Output,
} from '../../contextforge/v1/TaskError';
import type { Long } from '@grpc/proto-loader';

export interface Task {
  id?: string;
  clientId?: string;
  type?: string;
  inputJson?: string;
  priority?: number;
  requiredCapabilities?: string[];
  timeoutMs?: number;
  maxAttempts?: number;
  idempotencyKey?: string;
  parentId?: string;
  createdAt?: string;
  status?: string;
  statusReason?: string;
  attempt?: number;
  agentId?: string;
  lastError?: _contextforge_v1_TaskError | null;
  updatedAt?: string;
  finishedAt?: string;
  eventSeq?: number | string | Long;
  _idempotencyKey?: 'idempotencyKey';
  _parentId?: 'parentId';
  _statusReason?: 'statusReason';
  _agentId?: 'agentId';
  _lastError?: 'lastError';
  _finishedAt?: 'finishedAt';
}

export interface Task__Output {
  id?: string;
  clientId?: string;
  type?: string;
  inputJson?: string;
  priority?: number;
  requiredCapabilities: string[];
  timeoutMs?: number;
  maxAttempts?: number;
  idempotencyKey?: string;
  parentId?: string;
  createdAt?: string;
  status?: string;
  statusReason?: string;
  attempt?: number;
  agentId?: string;
  lastError?: _contextforge_v1_TaskError__Output;
  updatedAt?: string;
  finishedAt?: string;
  eventSeq?: number;
}
