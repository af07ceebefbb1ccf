import { describeMessageBusContract, uniqueName } from '@contextforge/testing';
import { KafkaMessageBus } from '../src/kafka/kafka-message-bus';
import { useKafkaCluster } from './support/kafka-test-env';

const cluster = useKafkaCluster();

describeMessageBusContract('kafka', async () => {
  const bus = new KafkaMessageBus(cluster.busOptions());
  await bus.connect();
  return { bus, topicPrefix: uniqueName('ct'), cleanup: () => bus.close() };
});
