// Original file: libs/contracts/proto/agent_service.proto

import type { Long } from '@grpc/proto-loader';

export interface StreamResultsRequest {
  taskId?: string;
  afterSeq?: number | string | Long;
}

export interface StreamResultsRequest__Output {
  taskId?: string;
  afterSeq?: number;
}
