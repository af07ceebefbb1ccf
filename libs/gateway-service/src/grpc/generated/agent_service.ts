import type * as grpc from '@grpc/grpc-js';
import type { MessageTypeDefinition } from '@grpc/proto-loader';

import type {
  Agent as _contextforge_v1_Agent,
  Agent__Output as _contextforge_v1_Agent__Output,
} from './contextforge/v1/Agent';
import type {
  AgentResources as _contextforge_v1_AgentResources,
  AgentResources__Output as _contextforge_v1_AgentResources__Output,
} from './contextforge/v1/AgentResources';
import type {
  AgentServiceClient as _contextforge_v1_AgentServiceClient,
  AgentServiceDefinition as _contextforge_v1_AgentServiceDefinition,
} from './contextforge/v1/AgentService';
import type {
  GetTaskStatusRequest as _contextforge_v1_GetTaskStatusRequest,
  GetTaskStatusRequest__Output as _contextforge_v1_GetTaskStatusRequest__Output,
} from './contextforge/v1/GetTaskStatusRequest';
import type {
  RegisterAgentRequest as _contextforge_v1_RegisterAgentRequest,
  RegisterAgentRequest__Output as _contextforge_v1_RegisterAgentRequest__Output,
} from './contextforge/v1/RegisterAgentRequest';
import type {
  RegisterAgentResponse as _contextforge_v1_RegisterAgentResponse,
  RegisterAgentResponse__Output as _contextforge_v1_RegisterAgentResponse__Output,
} from './contextforge/v1/RegisterAgentResponse';
import type {
  StreamResultsRequest as _contextforge_v1_StreamResultsRequest,
  StreamResultsRequest__Output as _contextforge_v1_StreamResultsRequest__Output,
} from './contextforge/v1/StreamResultsRequest';
import type {
  SubmitTaskRequest as _contextforge_v1_SubmitTaskRequest,
  SubmitTaskRequest__Output as _contextforge_v1_SubmitTaskRequest__Output,
} from './contextforge/v1/SubmitTaskRequest';
import type {
  SubmitTaskResponse as _contextforge_v1_SubmitTaskResponse,
  SubmitTaskResponse__Output as _contextforge_v1_SubmitTaskResponse__Output,
} from './contextforge/v1/SubmitTaskResponse';
import type {
  Task as _contextforge_v1_Task,
  Task__Output as _contextforge_v1_Task__Output,
} from './contextforge/v1/Task';
import type {
  TaskError as _contextforge_v1_TaskError,
  TaskError__Output as _contextforge_v1_TaskError__Output,
} from './contextforge/v1/TaskError';
import type {
  TaskStatusResponse as _contextforge_v1_TaskStatusResponse,
  TaskStatusResponse__Output as _contextforge_v1_TaskStatusResponse__Output,
} from './contextforge/v1/TaskStatusResponse';
import type {
  TaskStreamMessage as _contextforge_v1_TaskStreamMessage,
  TaskStreamMessage__Output as _contextforge_v1_TaskStreamMessage__Output,
} from './contextforge/v1/TaskStreamMessage';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new (...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  contextforge: {
    v1: {
      Agent: MessageTypeDefinition<_contextforge_v1_Agent, _contextforge_v1_Agent__Output>;
      AgentResources: MessageTypeDefinition<
        _contextforge_v1_AgentResources,
        _contextforge_v1_AgentResources__Output
      >;
      AgentService: SubtypeConstructor<typeof grpc.Client, _contextforge_v1_AgentServiceClient> & {
        service: _contextforge_v1_AgentServiceDefinition;
      };
      GetTaskStatusRequest: MessageTypeDefinition<
        _contextforge_v1_GetTaskStatusRequest,
        _contextforge_v1_GetTaskStatusRequest__Output
      >;
      RegisterAgentRequest: MessageTypeDefinition<
        _contextforge_v1_RegisterAgentRequest,
        _contextforge_v1_RegisterAgentRequest__Output
      >;
      RegisterAgentResponse: MessageTypeDefinition<
        _contextforge_v1_RegisterAgentResponse,
        _contextforge_v1_RegisterAgentResponse__Output
      >;
      StreamResultsRequest: MessageTypeDefinition<
        _contextforge_v1_StreamResultsRequest,
        _contextforge_v1_StreamResultsRequest__Output
      >;
      SubmitTaskRequest: MessageTypeDefinition<
        _contextforge_v1_SubmitTaskRequest,
        _contextforge_v1_SubmitTaskRequest__Output
      >;
      SubmitTaskResponse: MessageTypeDefinition<
        _contextforge_v1_SubmitTaskResponse,
        _contextforge_v1_SubmitTaskResponse__Output
      >;
      Task: MessageTypeDefinition<_contextforge_v1_Task, _contextforge_v1_Task__Output>;
      TaskError: MessageTypeDefinition<_contextforge_v1_TaskError, _contextforge_v1_TaskError__Output>;
      TaskStatusResponse: MessageTypeDefinition<
        _contextforge_v1_TaskStatusResponse,
        _contextforge_v1_TaskStatusResponse__Output
      >;
      TaskStreamMessage: MessageTypeDefinition<
        _contextforge_v1_TaskStreamMessage,
        _contextforge_v1_TaskStreamMessage__Output
      >;
    };
  };
}
