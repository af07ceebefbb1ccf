// Original file: libs/contracts/proto/agent_service.proto

export interface AgentResources {
  cpu?: string;
  memory?: string;
  disk?: string;
  _cpu?: 'cpu';
  _memory?: 'memory';
  _disk?: 'disk';
}

export interface AgentResources__Output {
  cpu?: string;
  memory?: string;
  disk?: string;
}
