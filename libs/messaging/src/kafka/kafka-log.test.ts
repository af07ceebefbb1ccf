import { logLevel } from 'kafkajs';
import type { LogEntry } from 'kafkajs';
import { recordingLogger } from '../../test/support/recording-logger';
import { kafkaLogCreator, type OffsetReset } from './kafka-log';

function line(
  namespace: string,
  level: logLevel,
  message: string,
  fields: Record<string, unknown> = {},
): LogEntry {
  return { namespace, level, label: '', log: { timestamp: '2030-01-01T00:00:00Z', message, ...fields } };
}

describe('kafkaLogCreator', () => {
  it("turns kafkajs's out-of-range lines into one hook call and passes other lines on by level", () => {
    const logger = recordingLogger();
    const resets: OffsetReset[] = [];
    const log = kafkaLogCreator(logger, { onOffsetReset: (reset) => resets.push(reset) })(logLevel.WARN);

    log(
      line('Connection', logLevel.ERROR, 'Response Fetch(key: 1, version: 11)', {
        error: 'The requested offset is not within the range of offsets maintained by the server',
      }),
    );
    log(
      line('ConsumerGroup', logLevel.ERROR, 'Offset out of range, resetting to default offset', {
        topic: 't',
        partition: 2,
        groupId: 'g.t',
        memberId: 'm-1',
      }),
    );
    log(line('Connection', logLevel.ERROR, 'Response Fetch(key: 1, version: 11)', { error: 'other' }));
    log(line('Runner', logLevel.WARN, 'slow'));
    log(
      line(
        'Producer',
        logLevel.WARN,
        'Limiting retries for the idempotent producer may invalidate EoS guarantees',
      ),
    );

    expect(resets).toEqual([{ topic: 't', partition: 2, groupId: 'g.t', memberId: 'm-1' }]);
    expect(logger.entries.map((entry) => [entry.level, entry.fields['namespace'], entry.message])).toEqual([
      ['error', 'Connection', 'Response Fetch(key: 1, version: 11)'],
      ['warn', 'Runner', 'slow'],
      ['info', 'Producer', 'Limiting retries for the idempotent producer may invalidate EoS guarantees'],
    ]);
  });
});
