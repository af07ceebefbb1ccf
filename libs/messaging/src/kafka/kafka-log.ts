import { logLevel } from 'kafkajs';
import type { logCreator } from 'kafkajs';
import type { BusLogger } from '../bus-options';

/**
 * kafkajs's warning when an idempotent producer has a bounded retry count. KafkaProducer replaces
 * the producer after a failed send, so the sequence numbers it warns about are never reused: the
 * line is kept, at info, with that note.
 */
const BOUNDED_RETRIES_WARNING = 'Limiting retries for the idempotent producer may invalidate EoS guarantees';

/** Routes kafkajs's own log lines (warnings and errors only) to the bus logger. */
export function kafkaLogCreator(logger: BusLogger): logCreator {
  return () =>
    ({ namespace, level, log }) => {
      const { message, ...fields } = log;
      const entry = { component: 'kafkajs', namespace, ...fields };
      if (message === BOUNDED_RETRIES_WARNING) {
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
