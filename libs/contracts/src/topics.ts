/**
 * Bus topic names. Every topic is prefixed (default "contextforge") so that several systems, or
 * several test runs, can share one Kafka cluster.
 *
 * - tasksSubmitted: { task } once stored as queued; the scheduler consumes it. Key: task id.
 * - taskEvents: TaskEvent; result-store and scheduler consume it (separate groups). Key: task id.
 * - taskChanges: TaskChangedMessage, from the result-store after it applied an event (seq, event,
 *   task); gateways consume it, one group per replica, to feed live streams. Key: task id.
 * - taskControl: TaskControlMessage (cancel, re-drive) for the scheduler. Key: task id.
 * - agentStatus: AgentStatusEvent from the registry. Key: agent id.
 * - agentCircuits: AgentCircuitEvent from the scheduler (breaker state changes). Key: agent id.
 * Each consumer's poison messages go to `<topic>.dlq` with the reason in headers.
 */
export interface TopicNames {
  tasksSubmitted: string;
  taskEvents: string;
  taskChanges: string;
  taskControl: string;
  agentStatus: string;
  agentCircuits: string;
}

export const DEFAULT_TOPIC_PREFIX = 'contextforge';

export function topicNames(prefix: string = DEFAULT_TOPIC_PREFIX): TopicNames {
  return {
    tasksSubmitted: `${prefix}.tasks.submitted`,
    taskEvents: `${prefix}.tasks.events`,
    taskChanges: `${prefix}.tasks.changes`,
    taskControl: `${prefix}.tasks.control`,
    agentStatus: `${prefix}.agents.status`,
    agentCircuits: `${prefix}.agents.circuits`,
  };
}

export function deadLetterTopic(topic: string): string {
  return `${topic}.dlq`;
}

/** Headers the bus sets on a dead-lettered message, beside the original headers. */
export const DEAD_LETTER_HEADERS = {
  originalTopic: 'x-dlq-original-topic',
  group: 'x-dlq-group',
  errorCode: 'x-dlq-error-code',
  errorMessage: 'x-dlq-error-message',
  attempts: 'x-dlq-attempts',
  at: 'x-dlq-at',
} as const;

/** Consumer groups, one per service role. */
export const CONSUMER_GROUPS = {
  scheduler: 'scheduler',
  resultStore: 'result-store',
  gateway: 'gateway',
  registry: 'registry',
  /** The scheduler's JobCoordinator, following its jobs' children on the task-changes topic. */
  jobCoordinator: 'job-coordinator',
} as const;
