import {
  AppError,
  AgentRegistrationSchema,
  parseOrThrow,
  type AgentInstance,
  type AgentRegistration,
  type Discovery,
  type HealthState,
  type ListAgentsFilter,
  type WatchHandle,
} from '@contextforge/contracts';
import { byAgentId, matchesFilter } from './agent-filter';

export interface MemoryDiscoveryOptions {
  /** An agent that has not heartbeated for this long is critical. Default 30 s. */
  ttlMs?: number;
  /** An agent critical for this long is removed. Default 10 min. */
  deregisterCriticalAfterMs?: number;
  /** Monotonic milliseconds; default `performance.now`. Injected by tests. */
  clock?: () => number;
}

interface Entry {
  registration: AgentRegistration;
  reported: HealthState;
  note: string | undefined;
  lastHeartbeatAt: number;
  /** When a reported `critical` began (TTL expiry is derived from lastHeartbeatAt instead). */
  reportedCriticalAt: number | null;
  /** The registry's active-probe state; never expires, never removes the agent. */
  probe: HealthState;
  probeNote: string | undefined;
}

interface Effective {
  health: HealthState;
  note: string | undefined;
  criticalSince: number | null;
}

const SEVERITY: Record<HealthState, number> = { passing: 0, warning: 1, critical: 2 };

const TTL_EXPIRED_NOTE = 'TTL expired';

/**
 * The in-memory Discovery adapter (embedded mode and tests), with the same health model as the
 * Consul adapter: a TTL per agent measured on this side's clock, `warning` for draining agents,
 * removal after `deregisterCriticalAfterMs` critical (of the agent's own check), and health the
 * worst of that check and the registry's probe.
 *
 * Health is computed from timestamps whenever it is read; an unref'd timer wakes up at the next
 * TTL expiry or removal deadline only so that watchers hear about it. Watcher deliveries are
 * coalesced to one per event-loop turn and skipped when nothing visible changed (a heartbeat that
 * keeps an agent passing is not a change).
 */
export class MemoryDiscovery implements Discovery {
  private readonly ttlMs: number;
  private readonly deregisterCriticalAfterMs: number;
  private readonly clock: () => number;
  private readonly entries = new Map<string, Entry>();
  /** Each watcher with the signature of the last list it was given ('' before the first). */
  private readonly watchers = new Map<(agents: AgentInstance[]) => void, string>();
  private state: 'new' | 'connected' | 'closed' = 'new';
  private timer: NodeJS.Timeout | undefined;
  private flushPending: NodeJS.Immediate | undefined;

  constructor(options: MemoryDiscoveryOptions = {}) {
    this.ttlMs = options.ttlMs ?? 30_000;
    this.deregisterCriticalAfterMs = options.deregisterCriticalAfterMs ?? 10 * 60_000;
    this.clock = options.clock ?? (() => performance.now());
    if (!(this.ttlMs > 0) || !(this.deregisterCriticalAfterMs > 0)) {
      throw new AppError(
        'CONFIG_INVALID',
        'MemoryDiscovery: ttlMs and deregisterCriticalAfterMs must be > 0',
      );
    }
  }

  async connect(): Promise<void> {
    if (this.state === 'closed') throw new AppError('SERVICE_UNAVAILABLE', 'memory discovery is closed');
    this.state = 'connected';
  }

  async register(registration: AgentRegistration): Promise<void> {
    this.assertConnected();
    const parsed = parseOrThrow(AgentRegistrationSchema, registration, 'agent registration');
    this.entries.set(parsed.id, {
      registration: parsed,
      reported: 'passing',
      note: undefined,
      lastHeartbeatAt: this.clock(),
      reportedCriticalAt: null,
      probe: 'passing',
      probeNote: undefined,
    });
    this.changed();
  }

  async deregister(agentId: string): Promise<void> {
    this.assertConnected();
    if (this.entries.delete(agentId)) this.changed();
  }

  async heartbeat(agentId: string, state: HealthState = 'passing', note?: string): Promise<void> {
    this.assertConnected();
    const now = this.clock();
    this.removeExpired(now);
    const entry = this.entries.get(agentId);
    if (!entry)
      throw new AppError('AGENT_NOT_FOUND', `agent ${agentId} is not registered`, { details: { agentId } });
    const before = this.effective(entry, now);
    entry.reported = state;
    entry.note = note;
    entry.lastHeartbeatAt = now;
    entry.reportedCriticalAt = state === 'critical' ? (before.criticalSince ?? now) : null;
    this.changed();
  }

  async reportProbe(agentId: string, state: HealthState, note?: string): Promise<void> {
    this.assertConnected();
    this.removeExpired(this.clock());
    const entry = this.entries.get(agentId);
    if (!entry)
      throw new AppError('AGENT_NOT_FOUND', `agent ${agentId} is not registered`, { details: { agentId } });
    entry.probe = state;
    entry.probeNote = note;
    this.changed();
  }

  async list(filter: ListAgentsFilter = {}): Promise<AgentInstance[]> {
    this.assertConnected();
    return this.snapshot().filter((instance) => matchesFilter(instance, filter));
  }

  watch(listener: (agents: AgentInstance[]) => void): WatchHandle {
    this.assertConnected();
    this.watchers.set(listener, '');
    this.changed();
    return { close: () => void this.watchers.delete(listener) };
  }

  async close(): Promise<void> {
    this.state = 'closed';
    this.watchers.clear();
    clearTimeout(this.timer);
    if (this.flushPending) clearImmediate(this.flushPending);
  }

  private assertConnected(): void {
    if (this.state !== 'connected') {
      throw new AppError(
        'SERVICE_UNAVAILABLE',
        `memory discovery is ${this.state === 'new' ? 'not connected' : 'closed'}`,
      );
    }
  }

  private effective(entry: Entry, now: number): Effective {
    const expiredAt = entry.lastHeartbeatAt + this.ttlMs;
    if (now >= expiredAt) {
      const criticalSince = Math.min(entry.reportedCriticalAt ?? expiredAt, expiredAt);
      return { health: 'critical', note: TTL_EXPIRED_NOTE, criticalSince };
    }
    return { health: entry.reported, note: entry.note, criticalSince: entry.reportedCriticalAt };
  }

  /** What callers see: the worse of the heartbeat and the probe, the heartbeat's note on a tie. */
  private visible(entry: Entry, now: number): { health: HealthState; note: string | undefined } {
    const own = this.effective(entry, now);
    if (SEVERITY[entry.probe] > SEVERITY[own.health]) return { health: entry.probe, note: entry.probeNote };
    return { health: own.health, note: own.note };
  }

  private removeExpired(now: number): boolean {
    let removed = false;
    for (const [id, entry] of this.entries) {
      const { criticalSince } = this.effective(entry, now);
      if (criticalSince !== null && now - criticalSince >= this.deregisterCriticalAfterMs) {
        this.entries.delete(id);
        removed = true;
      }
    }
    return removed;
  }

  private snapshot(): AgentInstance[] {
    const now = this.clock();
    this.removeExpired(now);
    return [...this.entries.values()]
      .map((entry) => {
        const { health, note } = this.visible(entry, now);
        const instance: AgentInstance = {
          registration: structuredClone(entry.registration),
          health,
          lastHeartbeatAgeMs: Math.max(0, now - entry.lastHeartbeatAt),
        };
        if (note !== undefined) instance.note = note;
        return instance;
      })
      .sort(byAgentId);
  }

  /** After a mutation or a timer wake-up: tell watchers if anything they can see changed. */
  private changed(): void {
    this.schedule();
    if (this.watchers.size === 0 || this.flushPending) return;
    this.flushPending = setImmediate(() => {
      this.flushPending = undefined;
      const agents = this.snapshot();
      const signature = JSON.stringify(agents.map(({ lastHeartbeatAgeMs: _age, ...visible }) => visible));
      const due = [...this.watchers].filter(([, seen]) => seen !== signature).map(([listener]) => listener);
      for (const listener of due) this.watchers.set(listener, signature);
      for (const listener of due) {
        if (this.watchers.has(listener)) listener(structuredClone(agents));
      }
    });
  }

  /** Arms the timer for the next moment an agent's health or presence changes by itself. */
  private schedule(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.state !== 'connected' || this.watchers.size === 0) return;
    const now = this.clock();
    let next = Infinity;
    for (const entry of this.entries.values()) {
      const { criticalSince } = this.effective(entry, now);
      const expiredAt = entry.lastHeartbeatAt + this.ttlMs;
      if (expiredAt > now) next = Math.min(next, expiredAt);
      if (criticalSince !== null) next = Math.min(next, criticalSince + this.deregisterCriticalAfterMs);
    }
    if (next === Infinity) return;
    // +1 ms: timers may fire a fraction early against performance.now().
    this.timer = setTimeout(() => this.changed(), Math.max(0, next - now) + 1);
    this.timer.unref();
  }
}
