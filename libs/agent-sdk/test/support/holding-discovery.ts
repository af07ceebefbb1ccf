import type { HealthState } from '@contextforge/contracts';
import { MemoryDiscovery } from '@contextforge/discovery';
import { deferred, type Deferred } from '@contextforge/testing';

/**
 * The real in-memory discovery, except that while `hold` is set every `passing` heartbeat waits
 * for it (a slow registry); `applied` lists the heartbeat states in the order they took effect.
 */
export class HoldingDiscovery extends MemoryDiscovery {
  hold: Deferred<void> | undefined;
  readonly applied: HealthState[] = [];
  /** Calls that arrived while held. */
  held = 0;
  readonly firstHeld = deferred();

  override async heartbeat(agentId: string, state: HealthState = 'passing', note?: string): Promise<void> {
    if (state === 'passing' && this.hold) {
      this.held += 1;
      this.firstHeld.resolve();
      await this.hold.promise;
    }
    await super.heartbeat(agentId, state, note);
    this.applied.push(state);
  }
}
