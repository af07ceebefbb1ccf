export {};
export { describeDiscoveryContract } from './discovery-contract';
export type { DiscoveryContractFactory, DiscoveryContractSubject } from './discovery-contract';
export { DiscoveryWatchRecorder } from './discovery-watch-recorder';
export { waitFor, withTimeout } from './wait-for';
export type { WaitOptions } from './wait-for';
export { deferred } from './deferred';
export type { Deferred } from './deferred';
export { uniqueName } from './unique-name';
export { MessageRecorder } from './message-recorder';
export { describeMessageBusContract } from './message-bus-contract';
export type {
  MessageBusContractFactory,
  MessageBusContractOptions,
  MessageBusContractSubject,
} from './message-bus-contract';
export { ConsulApiDouble } from './consul-api-double';
export type { ConsulApiDoubleOptions } from './consul-api-double';
export { describeTaskRepositoryContract } from './task-repository-contract';
export { describeTaskQueueContract } from './task-queue-contract';
export type { TaskQueueContractSubject, TaskQueueStore } from './task-queue-contract';
export type {
  TaskRepositoryContractFactory,
  TaskRepositoryContractOptions,
  TaskRepositoryContractSubject,
} from './task-repository-contract';
export { buildTask, buildTaskEvent, lifecycleEvents } from './task-fixtures';
export { startKafkaMock } from './kafka-mock';
export type { KafkaMock, KafkaMockOptions } from './kafka-mock';
export { ProcessCluster } from './cluster/process-cluster';
export type { CrashReport, ProcessClusterOptions } from './cluster/process-cluster';
export type { ProcessExit, ProcessSpec } from './cluster/managed-process';
export { findFreePorts } from './cluster/free-ports';
export {
  CLUSTER_AGENT_TASK_TYPES,
  contextForgeCluster,
  schedulerProcessName,
} from './cluster/contextforge-cluster';
export type {
  ContextForgeClusterLayout,
  ContextForgeClusterOptions,
  ContextForgeClusterPorts,
} from './cluster/contextforge-cluster';
export { createScratchDatabase, ensureDatabase, LOCAL_POSTGRES_URL } from './cluster/postgres-database';
export { startClusterBackends } from './cluster/cluster-backends';
export type { ClusterBackends } from './cluster/cluster-backends';
export type { ScratchDatabase } from './cluster/postgres-database';
export { describeHistory, leaseHolder, statusCounts, taskEvents } from './cluster/task-db';
export type { EventRow } from './cluster/task-db';
export { lostAttempts } from './cluster/lost-attempts';
export type { TaskAttempt } from './cluster/lost-attempts';
export { limitedMap } from './cluster/limited-map';
export { sleepTasks, submitTasks } from './cluster/gateway-tasks';
export type { GatewayTarget, Submission } from './cluster/gateway-tasks';
export { createTestPki } from './test-pki';
export type { IssueOptions, TestCa, TestCertificate, TestPki } from './test-pki';
export { buildStoredApiKey, describeApiKeyStoreContract } from './api-key-store-contract';
export type { ApiKeyStoreContractFactory, ApiKeyStoreContractSubject } from './api-key-store-contract';
export { FakeAuthenticator, PRINCIPALS } from './fake-authenticator';
export type { TestToken } from './fake-authenticator';
export { FakeApiKeyStore } from './fake-api-key-store';
export { FakePayloadStore } from './fake-payload-store';
export { describePayloadStoreContract } from './payload-store-contract';
export type {
  OpenAttempt,
  PayloadStoreContractFactory,
  PayloadStoreContractSubject,
} from './payload-store-contract';
export { OtlpTraceReceiver } from './otlp-trace-receiver';
export type { ReceivedSpan } from './otlp-trace-receiver';
