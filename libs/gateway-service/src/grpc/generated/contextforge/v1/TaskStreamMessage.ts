// Original file: libs/contracts/proto/agent_service.proto

import type { Long } from '@grpc/proto-loader';

export interface TaskStreamMessage {
  seq?: number | string | Long;
  eventType?: string;
  eventJson?: string;
  end?: boolean;
  finalStatus?: string;
}

export interface TaskStreamMessage__Output {
  seq?: number;
  eventType?: string;
  eventJson?: string;
  end?: boolean;
  finalStatus?: string;
}
