export {
  ERROR_CODES,
  ERROR_CODE_LIST,
  AppError,
  isErrorCode,
  isRetryable,
  isSerializedError,
  toSerializedError,
} from './errors';
export type { ErrorCode, ErrorSpec, GrpcStatusName, SerializedError } from './errors';
export { formatPath, parseOrThrow, toIssues } from './validation';
export type { ValidationIssue } from './validation';
export {
  AgentCircuitEventSchema,
  AgentRegistrationSchema,
  AgentSchema,
  CircuitStateSchema,
  AgentStatusEventSchema,
  AgentStatusSchema,
} from './agent';
export type {
  Agent,
  AgentCircuitEvent,
  AgentRegistration,
  AgentRegistrationInput,
  AgentStatus,
  AgentStatusEvent,
  CircuitState,
} from './agent';
export {
  DEFAULT_MAX_ATTEMPTS,
  DEFAULT_TASK_PRIORITY,
  DEFAULT_TASK_TIMEOUT_MS,
  FINAL_TASK_STATUSES,
  SerializedErrorSchema,
  TASK_PRIORITY_MAX,
  TASK_PRIORITY_MIN,
  TASK_STATUSES,
  TaskResultViewSchema,
  TaskSchema,
  TaskStatusSchema,
  TaskViewSchema,
  TaskSubmissionSchema,
  isFinalStatus,
  taskFromView,
} from './task';
export type { Task, TaskResultView, TaskStatus, TaskSubmission, TaskSubmissionInput, TaskView } from './task';
export {
  TaskCancelledEventSchema,
  TaskControlMessageSchema,
  TaskDeadLetteredEventSchema,
  TaskDispatchedEventSchema,
  TaskEventSchema,
  TaskFailedEventSchema,
  TaskProgressEventSchema,
  TaskQueuedEventSchema,
  TaskStartedEventSchema,
  TaskSubmittedMessageSchema,
  TaskSucceededEventSchema,
} from './events';
export type {
  TaskControlMessage,
  TaskEvent,
  TaskEventOf,
  TaskEventType,
  TaskSubmittedMessage,
} from './events';
export { AgentLoadSchema, AssignmentSchema, CancelAssignmentSchema } from './assignment';
export { applyTaskEvent } from './state-machine';
export type { TaskState, TransitionOutcome } from './state-machine';
export {
  CONSUMER_GROUPS,
  DEAD_LETTER_HEADERS,
  DEFAULT_TOPIC_PREFIX,
  deadLetterTopic,
  topicNames,
} from './topics';
export type { TopicNames } from './topics';
export type {
  BatchHandler,
  BusMessage,
  MessageBus,
  OutgoingMessage,
  SubscribeOptions,
  Subscription,
  WaitForGroupOptions,
} from './ports/message-bus';
export type { AgentInstance, Discovery, HealthState, ListAgentsFilter, WatchHandle } from './ports/discovery';
export type {
  AgentEndpoint,
  AgentLoad,
  AgentTransport,
  Assignment,
  CallOptions,
} from './ports/agent-transport';
export type {
  CreateTaskItem,
  CreateTaskOptions,
  CreateTaskOutcome,
  CreateTaskResult,
  DurationSummary,
  EventOutcome,
  ListTasksFilter,
  SymbolHit,
  SymbolSearchFilter,
  SymbolSearchPage,
  TaskFigures,
  TaskPage,
  TaskRepository,
} from './ports/task-repository';
export type {
  BatchSubmitItem,
  RedriveOutcome,
  RegistryApi,
  ResultStoreApi,
  SubmitOptions,
  SubmitOutcome,
  TaskMetrics,
} from './ports/service-apis';
export type { ApiKeyStore } from './ports/api-key-store';
export type {
  ClaimCandidate,
  AttemptRef,
  ClaimedAttempt,
  ClaimOutcome,
  ClaimRequest,
  FailedAttempt,
  LiveAgent,
  QueueAgent,
  QueueFigures,
  RetryDecision,
  TaskQueue,
} from './ports/task-queue';
export {
  API_KEY_PATTERN,
  API_KEY_PREFIX,
  ApiKeyRoleSchema,
  ApiKeyViewSchema,
  CreateApiKeyRequestSchema,
  JWT_ALGORITHMS,
  ROLES,
  apiKeyView,
  isAdmin,
} from './auth';
export type {
  ApiKeyRole,
  ApiKeyView,
  Authenticator,
  CreateApiKeyRequest,
  JwtAlgorithm,
  Principal,
  Role,
  StoredApiKey,
} from './auth';
export {
  RESULT_OUTPUT_REF,
  TaskChangeSignalSchema,
  TaskChangedMessageSchema,
  TaskStreamEventSchema,
  boundTaskChange,
} from './task-stream';
export { DEFAULT_INLINE_LIMIT_BYTES, PayloadIdSchema, exceedsInlineLimit, jsonByteLength } from './payloads';
export type { PayloadOwner, PayloadRef, PayloadStore, StoredPayload } from './ports/payload-store';
export type { TaskChangeSignal, TaskChangedMessage, TaskStreamEvent } from './task-stream';
export type { LeaseStore } from './ports/lease-store';
export {
  AgentListSchema,
  AgentMetricsSchema,
  AgentsHealthSchema,
  ApiKeyListSchema,
  BatchSubmitRequestSchema,
  BatchSubmitResponseSchema,
  DEFAULT_SEARCH_LIMIT,
  MAX_BATCH_TASKS,
  MAX_SEARCH_LIMIT,
  SymbolSearchQuerySchema,
  SymbolSearchResponseSchema,
  CreatedApiKeySchema,
  DeadLettersQuerySchema,
  ErrorResponseSchema,
  HealthStatusSchema,
  ListTasksQuerySchema,
  PerformanceMetricsSchema,
  ReadinessStatusSchema,
  RedriveOutcomeSchema,
  RedriveRequestSchema,
  SubmitTaskResponseSchema,
  TaskMetricsSchema,
  TaskPageSchema,
} from './api/gateway-api';
export type {
  AgentMetrics,
  AgentsHealth,
  BatchSubmitResponse,
  SymbolSearchQuery,
  SymbolSearchResponse,
  CreatedApiKey,
  ErrorResponse,
  ListTasksQuery,
  PerformanceMetrics,
} from './api/gateway-api';
export {
  ANALYZERS,
  CODE_UNIT_KINDS,
  CodeUnitSchema,
  FINDING_SEVERITIES,
  FileAnalysisSchema,
  FindingSchema,
  LineCountsSchema,
  SYMBOL_KINDS,
  SourceFileSchema,
  SymbolDefSchema,
} from './analysis';
export type {
  AnalyzerName,
  CodeUnit,
  FileAnalysis,
  Finding,
  LineCounts,
  SourceFile,
  SymbolDef,
} from './analysis';
export {
  AgentFeedEventSchema,
  AgentsSnapshotSchema,
  MetricsTickSchema,
  STREAM_CLOSE_CODES,
  STREAM_MESSAGE_TYPES,
  StreamMessageSchema,
  TaskStreamEndSchema,
} from './api/stream-api';
export type { AgentFeedEventMessage, MetricsTick, StreamMessage, StreamMessageType } from './api/stream-api';
export {
  CHUNK_FINDINGS_LIMIT,
  CHUNK_SYMBOLS_LIMIT,
  DEFAULT_CHUNK_BYTES,
  DEFAULT_CHUNK_TIMEOUT_MS,
  DEFAULT_REPO_JOB_TIMEOUT_MS,
  DEFAULT_MAX_FILE_BYTES,
  DEFAULT_SCAN_EXCLUDES,
  HOTSPOT_LIMIT,
  MAX_CHUNK_BYTES,
  REPORT_FILES_LIMIT,
  REPORT_FINDINGS_LIMIT,
  REPO_JOB_TASK_TYPES,
  RepoAnalysisInputSchema,
  RepoChunkInputSchema,
  RepoChunkOutputSchema,
  RepoReportSchema,
  RepoScanInputSchema,
  RepoScanOutputSchema,
  RepositoryArchiveQuerySchema,
  RepositoryJobRequestSchema,
  SubmitJobResponseSchema,
  addFindingCounts,
  addLanguageTotals,
  compareFindings,
  compareHotspots,
  emptyLanguageTotals,
  findingCountsOf,
  hotspotsOf,
  languageTotalsOf,
  mergeLanguages,
  repoChunkOutputOf,
  repositoryRootProblem,
  topHotspots,
} from './repo-job';
export type {
  FindingCounts,
  Hotspot,
  LanguageTotals,
  RepoAnalysisInput,
  RepoChunkInput,
  RepoChunkOutput,
  RepoReport,
  RepoScanInput,
  RepoScanOutput,
  RepositoryJobRequest,
  ScannedFile,
  SkippedFile,
} from './repo-job';
