import type { BatchHandler, BusMessage } from '@contextforge/contracts';
import { withTimeout } from './wait-for';

interface Waiter {
  predicate: (received: readonly BusMessage[]) => boolean;
  resolve: () => void;
}

/**
 * Records what a bus handler was given and lets a test await a condition on it; waiters are
 * checked on every recorded batch (event-driven, no polling).
 */
export class MessageRecorder {
  readonly received: BusMessage[] = [];
  private waiters: Waiter[] = [];

  /** A handler that records and acknowledges every batch. */
  readonly handler: BatchHandler = async (batch) => {
    this.record(batch);
  };

  record(batch: readonly BusMessage[]): void {
    this.received.push(...batch);
    this.waiters = this.waiters.filter((waiter) => {
      if (!waiter.predicate(this.received)) return true;
      waiter.resolve();
      return false;
    });
  }

  /** Values of the received messages, in arrival order. */
  values<T = unknown>(): T[] {
    return this.received.map((message) => message.value as T);
  }

  until(
    predicate: (received: readonly BusMessage[]) => boolean,
    timeoutMs: number,
    label: string,
  ): Promise<void> {
    if (predicate(this.received)) return Promise.resolve();
    const done = new Promise<void>((resolve) => this.waiters.push({ predicate, resolve }));
    return withTimeout(done, timeoutMs, label);
  }

  untilCount(count: number, timeoutMs: number, label = `${count} messages`): Promise<void> {
    return this.until((received) => received.length >= count, timeoutMs, label);
  }
}
