// Original file: libs/contracts/proto/agent_service.proto

import type {
  Agent as _contextforge_v1_Agent,
  Agent__Output as _contextforge_v1_Agent__Output,
} from '../../contextforge/v1/Agent';

export interface RegisterAgentResponse {
  agent?: _contextforge_v1_Agent | null;
}

export interface RegisterAgentResponse__Output {
  agent?: _contextforge_v1_Agent__Output;
}
