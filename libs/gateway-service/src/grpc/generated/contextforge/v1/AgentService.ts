// Original file: libs/contracts/proto/agent_service.proto

import type * as grpc from '@grpc/grpc-js';
import type { MethodDefinition } from '@grpc/proto-loader';
import type {
  GetTaskStatusRequest as _contextforge_v1_GetTaskStatusRequest,
  GetTaskStatusRequest__Output as _contextforge_v1_GetTaskStatusRequest__Output,
} from '../../contextforge/v1/GetTaskStatusRequest';
import type {
  RegisterAgentRequest as _contextforge_v1_RegisterAgentRequest,
  RegisterAgentRequest__Output as _contextforge_v1_RegisterAgentRequest__Output,
} from '../../contextforge/v1/RegisterAgentRequest';
import type {
  RegisterAgentResponse as _contextforge_v1_RegisterAgentResponse,
  RegisterAgentResponse__Output as _contextforge_v1_RegisterAgentResponse__Output,
} from '../../contextforge/v1/RegisterAgentResponse';
import type {
  StreamResultsRequest as _contextforge_v1_StreamResultsRequest,
  StreamResultsRequest__Output as _contextforge_v1_StreamResultsRequest__Output,
} from '../../contextforge/v1/StreamResultsRequest';
import type {
  SubmitTaskRequest as _contextforge_v1_SubmitTaskRequest,
  SubmitTaskRequest__Output as _contextforge_v1_SubmitTaskRequest__Output,
} from '../../contextforge/v1/SubmitTaskRequest';
import type {
  SubmitTaskResponse as _contextforge_v1_SubmitTaskResponse,
  SubmitTaskResponse__Output as _contextforge_v1_SubmitTaskResponse__Output,
} from '../../contextforge/v1/SubmitTaskResponse';
import type {
  TaskStatusResponse as _contextforge_v1_TaskStatusResponse,
  TaskStatusResponse__Output as _contextforge_v1_TaskStatusResponse__Output,
} from '../../contextforge/v1/TaskStatusResponse';
import type {
  TaskStreamMessage as _contextforge_v1_TaskStreamMessage,
  TaskStreamMessage__Output as _contextforge_v1_TaskStreamMessage__Output,
} from '../../contextforge/v1/TaskStreamMessage';

export interface AgentServiceClient extends grpc.Client {
  GetTaskStatus(
    argument: _contextforge_v1_GetTaskStatusRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_contextforge_v1_TaskStatusResponse__Output>,
  ): grpc.ClientUnaryCall;
  GetTaskStatus(
    argument: _contextforge_v1_GetTaskStatusRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_contextforge_v1_TaskStatusResponse__Output>,
  ): grpc.ClientUnaryCall;
  GetTaskStatus(
    argument: _contextforge_v1_GetTaskStatusRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_contextforge_v1_TaskStatusResponse__Output>,
  ): grpc.ClientUnaryCall;
  GetTaskStatus(
    argument: _contextforge_v1_GetTaskStatusRequest,
    callback: grpc.requestCallback<_contextforge_v1_TaskStatusResponse__Output>,
  ): grpc.ClientUnaryCall;
  getTaskStatus(
    argument: _contextforge_v1_GetTaskStatusRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_contextforge_v1_TaskStatusResponse__Output>,
  ): grpc.ClientUnaryCall;
  getTaskStatus(
    argument: _contextforge_v1_GetTaskStatusRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_contextforge_v1_TaskStatusResponse__Output>,
  ): grpc.ClientUnaryCall;
  getTaskStatus(
    argument: _contextforge_v1_GetTaskStatusRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_contextforge_v1_TaskStatusResponse__Output>,
  ): grpc.ClientUnaryCall;
  getTaskStatus(
    argument: _contextforge_v1_GetTaskStatusRequest,
    callback: grpc.requestCallback<_contextforge_v1_TaskStatusResponse__Output>,
  ): grpc.ClientUnaryCall;

  RegisterAgent(
    argument: _contextforge_v1_RegisterAgentRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_contextforge_v1_RegisterAgentResponse__Output>,
  ): grpc.ClientUnaryCall;
  RegisterAgent(
    argument: _contextforge_v1_RegisterAgentRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_contextforge_v1_RegisterAgentResponse__Output>,
  ): grpc.ClientUnaryCall;
  RegisterAgent(
    argument: _contextforge_v1_RegisterAgentRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_contextforge_v1_RegisterAgentResponse__Output>,
  ): grpc.ClientUnaryCall;
  RegisterAgent(
    argument: _contextforge_v1_RegisterAgentRequest,
    callback: grpc.requestCallback<_contextforge_v1_RegisterAgentResponse__Output>,
  ): grpc.ClientUnaryCall;
  registerAgent(
    argument: _contextforge_v1_RegisterAgentRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_contextforge_v1_RegisterAgentResponse__Output>,
  ): grpc.ClientUnaryCall;
  registerAgent(
    argument: _contextforge_v1_RegisterAgentRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_contextforge_v1_RegisterAgentResponse__Output>,
  ): grpc.ClientUnaryCall;
  registerAgent(
    argument: _contextforge_v1_RegisterAgentRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_contextforge_v1_RegisterAgentResponse__Output>,
  ): grpc.ClientUnaryCall;
  registerAgent(
    argument: _contextforge_v1_RegisterAgentRequest,
    callback: grpc.requestCallback<_contextforge_v1_RegisterAgentResponse__Output>,
  ): grpc.ClientUnaryCall;

  StreamResults(
    argument: _contextforge_v1_StreamResultsRequest,
    metadata: grpc.Metadata,
    options?: grpc.CallOptions,
  ): grpc.ClientReadableStream<_contextforge_v1_TaskStreamMessage__Output>;
  StreamResults(
    argument: _contextforge_v1_StreamResultsRequest,
    options?: grpc.CallOptions,
  ): grpc.ClientReadableStream<_contextforge_v1_TaskStreamMessage__Output>;
  streamResults(
    argument: _contextforge_v1_StreamResultsRequest,
    metadata: grpc.Metadata,
    options?: grpc.CallOptions,
  ): grpc.ClientReadableStream<_contextforge_v1_TaskStreamMessage__Output>;
  streamResults(
    argument: _contextforge_v1_StreamResultsRequest,
    options?: grpc.CallOptions,
  ): grpc.ClientReadableStream<_contextforge_v1_TaskStreamMessage__Output>;

  SubmitTask(
    argument: _contextforge_v1_SubmitTaskRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_contextforge_v1_SubmitTaskResponse__Output>,
  ): grpc.ClientUnaryCall;
  SubmitTask(
    argument: _contextforge_v1_SubmitTaskRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_contextforge_v1_SubmitTaskResponse__Output>,
  ): grpc.ClientUnaryCall;
  SubmitTask(
    argument: _contextforge_v1_SubmitTaskRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_contextforge_v1_SubmitTaskResponse__Output>,
  ): grpc.ClientUnaryCall;
  SubmitTask(
    argument: _contextforge_v1_SubmitTaskRequest,
    callback: grpc.requestCallback<_contextforge_v1_SubmitTaskResponse__Output>,
  ): grpc.ClientUnaryCall;
  submitTask(
    argument: _contextforge_v1_SubmitTaskRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_contextforge_v1_SubmitTaskResponse__Output>,
  ): grpc.ClientUnaryCall;
  submitTask(
    argument: _contextforge_v1_SubmitTaskRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_contextforge_v1_SubmitTaskResponse__Output>,
  ): grpc.ClientUnaryCall;
  submitTask(
    argument: _contextforge_v1_SubmitTaskRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_contextforge_v1_SubmitTaskResponse__Output>,
  ): grpc.ClientUnaryCall;
  submitTask(
    argument: _contextforge_v1_SubmitTaskRequest,
    callback: grpc.requestCallback<_contextforge_v1_SubmitTaskResponse__Output>,
  ): grpc.ClientUnaryCall;
}

export interface AgentServiceHandlers extends grpc.UntypedServiceImplementation {
  GetTaskStatus: grpc.handleUnaryCall<
    _contextforge_v1_GetTaskStatusRequest__Output,
    _contextforge_v1_TaskStatusResponse
  >;

  RegisterAgent: grpc.handleUnaryCall<
    _contextforge_v1_RegisterAgentRequest__Output,
    _contextforge_v1_RegisterAgentResponse
  >;

  StreamResults: grpc.handleServerStreamingCall<
    _contextforge_v1_StreamResultsRequest__Output,
    _contextforge_v1_TaskStreamMessage
  >;

  SubmitTask: grpc.handleUnaryCall<
    _contextforge_v1_SubmitTaskRequest__Output,
    _contextforge_v1_SubmitTaskResponse
  >;
}

export interface AgentServiceDefinition extends grpc.ServiceDefinition {
  GetTaskStatus: MethodDefinition<
    _contextforge_v1_GetTaskStatusRequest,
    _contextforge_v1_TaskStatusResponse,
    _contextforge_v1_GetTaskStatusRequest__Output,
    _contextforge_v1_TaskStatusResponse__Output
  >;
  RegisterAgent: MethodDefinition<
    _contextforge_v1_RegisterAgentRequest,
    _contextforge_v1_RegisterAgentResponse,
    _contextforge_v1_RegisterAgentRequest__Output,
    _contextforge_v1_RegisterAgentResponse__Output
  >;
  StreamResults: MethodDefinition<
    _contextforge_v1_StreamResultsRequest,
    _contextforge_v1_TaskStreamMessage,
    _contextforge_v1_StreamResultsRequest__Output,
    _contextforge_v1_TaskStreamMessage__Output
  >;
  SubmitTask: MethodDefinition<
    _contextforge_v1_SubmitTaskRequest,
    _contextforge_v1_SubmitTaskResponse,
    _contextforge_v1_SubmitTaskRequest__Output,
    _contextforge_v1_SubmitTaskResponse__Output
  >;
}
