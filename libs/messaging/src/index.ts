export {
  MemoryMessageBus,
  DEFAULT_MAX_BATCH_SIZE,
  DEFAULT_MEMORY_PARTITIONS,
} from './memory/memory-message-bus';
export type { MemoryMessageBusOptions } from './memory/memory-message-bus';
export { createMessageBus, parseKafkaBrokers } from './create-message-bus';
export type { MessageBusOptions } from './create-message-bus';
export { DEFAULT_RETRY_POLICY, SILENT_LOGGER } from './bus-options';
export type { BusLogger, BusMetrics, CommonBusOptions, RetryPolicy } from './bus-options';
export type { KafkaMessageBusOptions } from './kafka/kafka-options';
export { kafkaGroupId } from './kafka/kafka-options';
export { busTopics } from './bus-topics';
export { DEFAULT_MAX_MESSAGE_BYTES, encodedSize } from './message-codec';
