export { Gateway, createGatewayApp, gatewayOpenApiDocument } from './gateway';
export type { GatewayOptions } from './gateway';
export { agentMetricsOf, agentsHealthOf, createGatewayOperations } from './gateway-operations';
export type { GatewayOperationsDeps } from './gateway-operations';
export type {
  AgentMetrics,
  AgentRegistrationInput,
  AgentsHealth,
  CreateApiKeyRequest,
  CreatedApiKey,
  GatewayOperations,
  ListTasksQuery,
  PerformanceMetrics,
  TaskSubmissionInput,
} from './operations';
export { GATEWAY_ROUTES } from './rest/routes';
export type { RouteSpec } from './rest/route-spec';
export type { OpenApiDocument, OpenApiOptions } from './rest/openapi';
export { attachStreamServer, STREAM_SUBPROTOCOL } from './streams/stream-server';
export type { StreamServer, StreamServerOptions, StreamServerStats } from './streams/stream-server';
export { StreamHub, STREAM_HUB_PRINCIPAL } from './streams/stream-hub';
export type { AgentFeedEvent, MetricsSnapshot, StreamHubOptions, StreamHubStats } from './streams/stream-hub';
export { STREAM_CLOSE_CODES, STREAM_MESSAGE_TYPES, StreamMessageSchema } from './streams/stream-message';
export type { StreamMessage, StreamMessageType } from './streams/stream-message';
export { createGrpcServer, PROTO_LOADER_OPTIONS } from './grpc/grpc-service';
export type { GrpcServer, GrpcServerOptions, GrpcTlsOptions } from './grpc/grpc-service';
export type { ProtoGrpcType as AgentServiceProtoType } from './grpc/generated/agent_service';
export { startGateway } from './start-gateway';
export type { RunningGateway, StartGatewayOptions } from './start-gateway';
export { RepositoryJobs, DEFAULT_REPOSITORY_JOB_SETTINGS } from './jobs/repository-jobs';
export type { RepositoryJobSettings } from './jobs/repository-jobs';
export { extractTar } from './jobs/extract-tar';
export type { ExtractLimits, ExtractReport } from './jobs/extract-tar';
