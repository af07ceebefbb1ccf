import * as grpc from '@grpc/grpc-js';
import {
  AppError,
  ERROR_CODES,
  type Agent,
  type SerializedError,
  type TaskView,
} from '@contextforge/contracts';
import type { Agent as AgentMessage } from './generated/contextforge/v1/Agent';
import type { RegisterAgentRequest__Output } from './generated/contextforge/v1/RegisterAgentRequest';
import type { SubmitTaskRequest__Output } from './generated/contextforge/v1/SubmitTaskRequest';
import type { Task as TaskMessage } from './generated/contextforge/v1/Task';
import type { TaskError } from './generated/contextforge/v1/TaskError';

/**
 * Conversions between the proto messages and the domain shapes. Requests become the same plain
 * objects a REST body would be (absent optional fields stay absent so schema defaults apply);
 * validation is GatewayOperations' job, not this file's.
 */
export function registrationFromRequest(request: RegisterAgentRequest__Output): Record<string, unknown> {
  const resources = request.resources ?? undefined;
  return compact({
    id: request.id,
    name: request.name,
    type: request.type,
    taskTypes: request.taskTypes,
    capabilities: request.capabilities,
    resources: resources
      ? compact({ cpu: resources.cpu, memory: resources.memory, disk: resources.disk })
      : undefined,
    endpoint: request.endpoint,
    weight: request.weight,
    concurrency: request.concurrency,
    version: request.version,
    instanceId: request.instanceId,
  });
}

export function submissionFromRequest(request: SubmitTaskRequest__Output): Record<string, unknown> {
  return compact({
    type: request.type,
    input: parseJsonField('input_json', request.inputJson),
    priority: request.priority,
    requiredCapabilities: request.requiredCapabilities,
    timeoutMs: request.timeoutMs,
    maxAttempts: request.maxAttempts,
    idempotencyKey: request.idempotencyKey,
  });
}

export function agentMessage(agent: Agent): AgentMessage {
  return compact({
    id: agent.id,
    name: agent.name,
    type: agent.type,
    taskTypes: agent.taskTypes,
    capabilities: agent.capabilities,
    resources: compact({ ...agent.resources }),
    endpoint: agent.endpoint,
    weight: agent.weight,
    concurrency: agent.concurrency,
    version: agent.version,
    instanceId: agent.instanceId,
    status: agent.status,
    circuit: agent.circuit,
    lastHeartbeatAgeMs: agent.lastHeartbeatAgeMs ?? undefined,
    statusNote: agent.statusNote,
  }) as AgentMessage;
}

export function taskMessage(task: TaskView): TaskMessage {
  return compact({
    id: task.id,
    clientId: task.clientId,
    type: task.type,
    inputJson: JSON.stringify(task.input ?? null),
    priority: task.priority,
    requiredCapabilities: task.requiredCapabilities,
    timeoutMs: task.timeoutMs,
    maxAttempts: task.maxAttempts,
    idempotencyKey: task.idempotencyKey,
    parentId: task.parentId,
    createdAt: task.createdAt,
    status: task.status,
    statusReason: task.statusReason,
    attempt: task.attempt,
    agentId: task.agentId,
    lastError: task.lastError ? errorMessage(task.lastError) : undefined,
    updatedAt: task.updatedAt,
    finishedAt: task.finishedAt,
    eventSeq: task.eventSeq,
  }) as TaskMessage;
}

function errorMessage(error: SerializedError): TaskError {
  return {
    code: error.code,
    message: error.message,
    retryable: error.retryable,
    detailsJson: error.details ? JSON.stringify(error.details) : '',
  };
}

/** An empty field means JSON null; anything else must be valid JSON text. */
export function parseJsonField(field: string, text: string | undefined): unknown {
  if (text === undefined || text === '') return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new AppError('VALIDATION_FAILED', `${field} is not valid JSON`, {
      details: { issues: [{ path: field, message: 'not valid JSON text' }] },
    });
  }
}

/**
 * The gRPC form of an error: status from the error registry, the message, and trailing metadata
 * `x-error-code` plus `x-error-bin` (the common error body as JSON). Anything that is not an
 * AppError is INTERNAL with a fixed message: no stack or internal detail leaves the process.
 */
export function toGrpcError(error: unknown): Partial<grpc.StatusObject> {
  const appError = error instanceof AppError ? error : new AppError('INTERNAL', 'internal error');
  const metadata = new grpc.Metadata();
  metadata.set('x-error-code', appError.code);
  metadata.set(
    'x-error-bin',
    Buffer.from(
      JSON.stringify({
        error: {
          code: appError.code,
          message: appError.message,
          ...(appError.details ? { details: appError.details } : {}),
        },
      }),
    ),
  );
  return { code: grpc.status[ERROR_CODES[appError.code].grpc], details: appError.message, metadata };
}

function compact<T extends Record<string, unknown>>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== undefined)) as T;
}
