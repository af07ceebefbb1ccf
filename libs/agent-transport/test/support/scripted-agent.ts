import type { AgentEndpoint, AgentLoad, Assignment } from '@contextforge/contracts';
import { deferred, type Deferred } from '@contextforge/testing';

/**
 * A small real AgentEndpoint for transport tests: records what it is sent, and can be told to
 * refuse (throw a given error), to hold accepts until released (a slow agent), or to drain.
 */
export class ScriptedAgent implements AgentEndpoint {
  readonly accepted: Assignment[] = [];
  readonly cancelled: Array<{ taskId: string; attempt: number; reason: string }> = [];
  /** Thrown by the next accept and cancel calls while set. */
  failWith: unknown;
  draining = false;
  /** While set, accept waits for it; `acceptEntered` resolves when an accept is waiting. */
  hold: Deferred<void> | undefined;
  acceptEntered = deferred();
  /** Overrides load() (e.g. to answer something invalid). */
  loadOverride: unknown;

  constructor(readonly agentId = 'agent-scripted') {}

  async accept(assignment: Assignment): Promise<void> {
    if (this.hold) {
      this.acceptEntered.resolve();
      await this.hold.promise;
    }
    if (this.failWith !== undefined) throw this.failWith;
    this.accepted.push(assignment);
  }

  async cancel(taskId: string, attempt: number, reason: string): Promise<void> {
    if (this.failWith !== undefined) throw this.failWith;
    this.cancelled.push({ taskId, attempt, reason });
  }

  load(): AgentLoad {
    if (this.loadOverride !== undefined) return this.loadOverride as AgentLoad;
    return { agentId: this.agentId, inFlight: this.accepted.length, concurrency: 4, draining: this.draining };
  }
}
