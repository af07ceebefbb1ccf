export { ContextForgeClient } from './contextforge-client';
export type {
  AgentStreamMessage,
  ArchiveJobOptions,
  BatchSubmittedTask,
  CallOptions,
  ContextForgeClientOptions,
  ListTasksFilters,
  ListTasksQuery,
  MetricsStreamMessage,
  RedriveOutcome,
  RepositoryJobOptions,
  RepositoryJobSource,
  SearchOptions,
  SearchPage,
  SubmittedJob,
  SubmittedTask,
  SymbolHit,
  SymbolKind,
  TaskPage,
} from './contextforge-client';
export { ContextForgeError, codeForStatus, errorFromAnswer, parseRetryAfter } from './contextforge-error';
export type { RequestOptions, RetryOptions } from './http-requester';
export type { FeedMessage, ReconnectOptions, StreamFeedOptions, StreamTaskOptions } from './resumable-stream';
export { STREAM_SUBPROTOCOL, defaultOpenStreamSocket } from './stream-socket';
export type { OpenStreamSocket, SocketEvent, StreamConnection, StreamCredentials } from './stream-socket';
