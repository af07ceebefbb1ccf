import { AppError, type OutgoingMessage } from '@contextforge/contracts';
import { MemoryMessageBus } from '@contextforge/messaging';

/**
 * The real in-memory bus, plus a record of every publish call (as made, before delivery) and a
 * switch that makes the next `failures` publishes throw SERVICE_UNAVAILABLE, as an outage would.
 */
export class RecordingBus extends MemoryMessageBus {
  readonly publishes: Array<{ topic: string; messages: readonly OutgoingMessage[] }> = [];
  /** Publish calls still to fail; Infinity keeps the bus down until reset. */
  failures = 0;

  override async publish(topic: string, messages: readonly OutgoingMessage[]): Promise<void> {
    this.publishes.push({ topic, messages: [...messages] });
    if (this.failures > 0) {
      this.failures -= 1;
      throw new AppError('SERVICE_UNAVAILABLE', 'the bus is down (test outage)');
    }
    await super.publish(topic, messages);
  }

  /** The values of every message published to `topic` by calls that succeeded or failed. */
  attempted(topic: string): unknown[] {
    return this.publishes
      .filter((call) => call.topic === topic)
      .flatMap((call) => call.messages.map((m) => m.value));
  }
}
