// Original file: libs/contracts/proto/agent_service.proto

import type {
  AgentResources as _contextforge_v1_AgentResources,
  AgentResources__Output as _contextforge_v1_AgentResources__Output,
} from '../../contextforge/v1/AgentResources';

export interface RegisterAgentRequest {
  id?: string;
  name?: string;
  type?: string;
  taskTypes?: string[];
  capabilities?: string[];
  resources?: _contextforge_v1_AgentResources | null;
  endpoint?: string;
  weight?: number;
  concurrency?: number;
  version?: string;
  instanceId?: string;
  _weight?: 'weight';
  _concurrency?: 'concurrency';
  _version?: 'version';
  _instanceId?: 'instanceId';
}

export interface RegisterAgentRequest__Output {
  id?: string;
  name?: string;
  type?: string;
  taskTypes: string[];
  capabilities: string[];
  resources?: _contextforge_v1_AgentResources__Output;
  endpoint?: string;
  weight?: number;
  concurrency?: number;
  version?: string;
  instanceId?: string;
}
