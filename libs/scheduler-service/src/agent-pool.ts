import type { AgentInstance, AgentRegistration, HealthState, Task } from '@contextforge/contracts';

export interface AgentSlot {
  registration: AgentRegistration;
  health: HealthState;
  /** Task ids of the attempts dispatched to this agent that have no outcome yet. */
  inFlight: Set<string>;
  /** No new dispatch before this time (performance.now()): the agent pushed back or was unreachable. */
  pausedUntil: number;
}

/** An agent whose in-flight attempts will not finish: it went critical or left discovery. */
export interface LostAgent {
  slot: AgentSlot;
  message: string;
  /** It was draining (`warning`) before: its attempts are hand-backs, not failures of the tasks. */
  wasDraining: boolean;
}

/**
 * The scheduler's view of the agents, fed by discovery's watch: health, attempts in flight and
 * back-off pauses. Only `passing` agents get new work.
 */
export class AgentPool {
  private readonly slots = new Map<string, AgentSlot>();
  private fallbackSlot: AgentSlot | undefined;

  get(id: string): AgentSlot | undefined {
    return this.slots.get(id) ?? (this.fallbackSlot?.registration.id === id ? this.fallbackSlot : undefined);
  }

  /**
   * The in-process agent used only when no healthy agent from discovery can run a task
   * (`coordinator.fallback: local`). It is not in discovery and never lost.
   */
  setFallback(registration: AgentRegistration): void {
    this.fallbackSlot = { registration, health: 'passing', inFlight: new Set(), pausedUntil: 0 };
  }

  get fallback(): AgentSlot | undefined {
    return this.fallbackSlot;
  }

  all(): AgentSlot[] {
    return [...this.slots.values()];
  }

  healthy(): AgentSlot[] {
    return this.all().filter((slot) => slot.health === 'passing');
  }

  /**
   * Applies a full list from discovery and returns the agents lost since the previous one. An agent
   * is lost once, on its way into `critical` or out of the list: discovery repeats a critical
   * agent in every later list, and its attempts must not be failed again.
   */
  update(instances: readonly AgentInstance[]): LostAgent[] {
    const lost: LostAgent[] = [];
    const seen = new Set<string>();
    for (const { registration, health } of instances) {
      seen.add(registration.id);
      const slot = this.slots.get(registration.id);
      if (!slot) {
        this.slots.set(registration.id, { registration, health, inFlight: new Set(), pausedUntil: 0 });
        continue;
      }
      if (registration.instanceId !== slot.registration.instanceId && slot.health !== 'critical') {
        // The same agent id from a new process: the old process's attempts will never finish.
        lost.push({
          slot,
          message: `agent ${registration.id} restarted`,
          wasDraining: slot.health === 'warning',
        });
        this.slots.set(registration.id, { registration, health, inFlight: new Set(), pausedUntil: 0 });
        continue;
      }
      if (health === 'critical' && slot.health !== 'critical') {
        lost.push({
          slot,
          message: `agent ${registration.id} is unhealthy`,
          wasDraining: slot.health === 'warning',
        });
      }
      slot.registration = registration;
      slot.health = health;
    }
    for (const [id, slot] of this.slots) {
      if (seen.has(id)) continue;
      this.slots.delete(id);
      if (slot.health !== 'critical')
        lost.push({ slot, message: `agent ${id} left`, wasDraining: slot.health === 'warning' });
    }
    return lost;
  }

  inFlightByAgent(): Record<string, number> {
    return Object.fromEntries(this.all().map((slot) => [slot.registration.id, slot.inFlight.size]));
  }
}

export function canRun(agent: AgentRegistration, task: Task): boolean {
  return (
    agent.taskTypes.includes(task.type) &&
    task.requiredCapabilities.every((capability) => agent.capabilities.includes(capability))
  );
}
