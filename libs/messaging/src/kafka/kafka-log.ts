import { logLevel } from 'kafkajs';
import type { logCreator } from 'kafkajs';
import type { BusLogger } from '../bus-options';

/**
 * kafkajs's warning when an idempotent producer has a bounded retry count. KafkaProducer replaces
 * the producer after a failed send, so the sequence numbers it warns about are never reused: the
 * line is kept, at info, with that note.
 */
const BOUNDED_RETRIES_WARNING = 'Limiting retries for the idempotent producer may invalidate EoS guarantees';

/**
 * kafkajs 2.2.4 has no event for an out-of-range reset, only these log lines (both at error): the
 * failed fetch (`Connection`, with the broker's text for OFFSET_OUT_OF_RANGE) and the reset
 * (`ConsumerGroup`, with topic, partition, groupId, memberId). A test on the mock cluster checks
 * they still read so.
 */
const OFFSET_OUT_OF_RANGE_TEXT =
  'The requested offset is not within the range of offsets maintained by the server';
const OFFSET_RESET_MESSAGE = 'Offset out of range, resetting to default offset';

/** A member's out-of-range position on one partition, reset by kafkajs (see KafkaSubscription). */
export interface OffsetReset {
  topic: string;
  partition: number;
  /** The Kafka group id (`<group>.<topic>`). */
  groupId: string;
  memberId: string | undefined;
}

export interface KafkaLogHooks {
  /** Replaces kafkajs's two error lines of an out-of-range reset (the hook logs its own). */
  onOffsetReset?: (reset: OffsetReset) => void;
}

/** Routes kafkajs's own log lines (warnings and errors only) to the bus logger. */
export function kafkaLogCreator(logger: BusLogger, hooks: KafkaLogHooks = {}): logCreator {
  return () =>
    ({ namespace, level, log }) => {
      const { message, ...fields } = log;
      const entry = { component: 'kafkajs', namespace, ...fields };
      if (hooks.onOffsetReset && namespace === 'ConsumerGroup' && message === OFFSET_RESET_MESSAGE) {
        hooks.onOffsetReset({
          topic: String(fields['topic']),
          partition: Number(fields['partition']),
          groupId: String(fields['groupId']),
          memberId: typeof fields['memberId'] === 'string' ? fields['memberId'] : undefined,
        });
      } else if (
        hooks.onOffsetReset &&
        namespace === 'Connection' &&
        fields['error'] === OFFSET_OUT_OF_RANGE_TEXT &&
        message.startsWith('Response Fetch')
      ) {
        // The failed fetch before the reset: the reset's own line says it.
      } else if (message === BOUNDED_RETRIES_WARNING) {
        logger.info(
          { ...entry, note: 'the bus replaces its idempotent producer after a failed send' },
          message,
        );
      } else if (level === logLevel.ERROR || level === logLevel.NOTHING) logger.error(entry, message);
      else if (level === logLevel.WARN) logger.warn(entry, message);
      else logger.info(entry, message);
    };
}

export const KAFKA_LOG_LEVEL = logLevel.WARN;
