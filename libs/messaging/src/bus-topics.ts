import { deadLetterTopic, topicNames } from '@contextforge/contracts';

/**
 * The topics a ContextForge system uses with `prefix`: every topic of topicNames plus its
 * dead-letter topic (each is consumed, so each may dead-letter). What a Kafka bus is given as
 * `topics` to create or check at connect, and what operators create where CreateTopics is denied.
 */
export function busTopics(prefix: string): string[] {
  const topics = Object.values(topicNames(prefix));
  return [...topics, ...topics.map(deadLetterTopic)];
}
