/**
 * A bus member in its own process, for the crash test: joins `group` on `topic`, prints "joined",
 * then fails every batch with a retryable error (printing "failed <partition>:<offset>") and keeps
 * retrying until the test kills it with SIGKILL. Arguments: brokers (comma list), topic, group.
 */
import { AppError } from '@contextforge/contracts';
import { KafkaMessageBus } from '../../src/kafka/kafka-message-bus';

async function main(): Promise<void> {
  const [brokers = '', topic = '', group = ''] = process.argv.slice(2);
  const bus = new KafkaMessageBus({
    brokers: brokers.split(','),
    maxWaitTimeMs: 10,
    idempotent: false,
    sessionTimeoutMs: 6_000,
    retry: { maxRetries: 1_000_000, initialDelayMs: 50, maxDelayMs: 50 },
  });
  await bus.connect();
  await bus.subscribe({
    topic,
    group,
    handler: async (batch) => {
      for (const message of batch) process.stdout.write(`failed ${message.partition}:${message.offset}\n`);
      throw new AppError('SERVICE_UNAVAILABLE', 'downstream is down');
    },
  });
  process.stdout.write('joined\n');
}

main().catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exit(1);
});
