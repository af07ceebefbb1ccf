import { AppError } from '@contextforge/contracts';
import { createMessageBus, parseKafkaBrokers } from './create-message-bus';
import { MemoryMessageBus } from './memory/memory-message-bus';

describe('createMessageBus', () => {
  it('builds a memory bus for memory://', async () => {
    expect(await createMessageBus('memory://')).toBeInstanceOf(MemoryMessageBus);
  });

  it('builds a Kafka bus for kafka:// without connecting', async () => {
    const bus = await createMessageBus('kafka://127.0.0.1:1,127.0.0.1:2');
    expect(bus.constructor.name).toBe('KafkaMessageBus');
  });

  it('rejects other schemes and malformed broker lists with CONFIG_INVALID', async () => {
    await expect(createMessageBus('amqp://rabbit')).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
    await expect(createMessageBus('kafka://')).rejects.toBeInstanceOf(AppError);
    await expect(createMessageBus('kafka://host-without-port')).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
    });
  });
});

describe('parseKafkaBrokers', () => {
  it('splits the comma list and drops a trailing path', () => {
    expect(parseKafkaBrokers('kafka://kafka-0.internal:9092, kafka-1.internal:9092/')).toEqual([
      'kafka-0.internal:9092',
      'kafka-1.internal:9092',
    ]);
    expect(parseKafkaBrokers('kafka://[::1]:9092')).toEqual(['[::1]:9092']);
  });
});
