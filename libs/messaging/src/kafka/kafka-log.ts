import { logLevel } from 'kafkajs';
import type { logCreator } from 'kafkajs';
import type { BusLogger } from '../bus-options';

/** Routes kafkajs's own log lines (warnings and errors only) to the bus logger. */
export function kafkaLogCreator(logger: BusLogger): logCreator {
  return () =>
    ({ namespace, level, log }) => {
      const { message, ...fields } = log;
      const entry = { component: 'kafkajs', namespace, ...fields };
      if (level === logLevel.ERROR || level === logLevel.NOTHING) logger.error(entry, message);
      else if (level === logLevel.WARN) logger.warn(entry, message);
      else logger.info(entry, message);
    };
}

export const KAFKA_LOG_LEVEL = logLevel.WARN;
