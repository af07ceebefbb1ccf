/**
 * State of the Consul test double: one node running a local agent whose services and checks are
 * also the catalog (real Consul syncs agent -> catalog by anti-entropy; the double makes that
 * instant), plus the KV store. Every write takes the next Raft-like index; queries read the index
 * of the table they depend on, which is what blocking queries compare.
 *
 * TTL checks expire on the double's own clock. The reaper removes services whose check has been
 * critical longer than DeregisterCriticalServiceAfter (never less than the minimum, 1 min in
 * Consul), running every `reapIntervalMs` (30 s in Consul).
 */

export type CheckStatus = 'passing' | 'warning' | 'critical';
export const CHECK_STATUSES: readonly CheckStatus[] = ['passing', 'warning', 'critical'];
const MAX_TIMER_MS = 2 ** 31 - 1;

export interface StoredService {
  id: string;
  name: string;
  tags: string[];
  meta: Record<string, string>;
  address: string;
  port: number;
  enableTagOverride: boolean;
  weights: { Passing: number; Warning: number };
  createIndex: number;
  modifyIndex: number;
}

export interface StoredCheck {
  checkId: string;
  name: string;
  status: CheckStatus;
  notes: string;
  output: string;
  serviceId: string;
  serviceName: string;
  /** "ttl" for service TTL checks; "" for the node's serfHealth check, as Consul reports it. */
  type: 'ttl' | '';
  ttlMs: number | null;
  deregisterAfterMs: number | null;
  criticalSince: number | null;
  ttlTimer: NodeJS.Timeout | undefined;
  createIndex: number;
  modifyIndex: number;
}

export interface StoredKv {
  key: string;
  flags: number;
  value: Buffer;
  lockIndex: number;
  createIndex: number;
  modifyIndex: number;
}

export interface NewService {
  id: string;
  name: string;
  tags: string[];
  meta: Record<string, string>;
  address: string;
  port: number;
  enableTagOverride: boolean;
  weights: { Passing: number; Warning: number };
  checks: Array<{
    checkId: string;
    name: string;
    status: CheckStatus;
    notes: string;
    ttlMs: number;
    deregisterAfterMs: number | null;
  }>;
}

export interface CatalogStoreOptions {
  /** Monotonic milliseconds (the double's own clock). */
  clock: () => number;
  reapIntervalMs: number;
  minDeregisterAfterMs: number;
}

export class CatalogStore {
  /** The Raft-like index of the last write. Starts above 0: Consul never returns index 0. */
  private index = 1;
  /** Index of the last change to any service or check ("services" table). */
  servicesIndex = 1;
  /** Index of the last change per service name (Consul's "service.<name>" index). */
  private readonly serviceIndexes = new Map<string, number>();
  /** Index of the last KV write, deletes included (Consul's kvs + tombstones). */
  kvIndex = 1;

  readonly services = new Map<string, StoredService>();
  readonly checks = new Map<string, StoredCheck>();
  readonly kv = new Map<string, StoredKv>();

  private readonly writeListeners = new Set<() => void>();
  private readonly reaper: NodeJS.Timeout;

  constructor(private readonly options: CatalogStoreOptions) {
    const at = this.nextIndex();
    this.checks.set('serfHealth', {
      checkId: 'serfHealth',
      name: 'Serf Health Status',
      status: 'passing',
      notes: '',
      output: 'Agent alive and reachable',
      serviceId: '',
      serviceName: '',
      type: '',
      ttlMs: null,
      deregisterAfterMs: null,
      criticalSince: null,
      ttlTimer: undefined,
      createIndex: at,
      modifyIndex: at,
    });
    this.servicesIndex = at;
    this.reaper = setInterval(() => this.reap(), options.reapIntervalMs);
    this.reaper.unref();
  }

  /** Called after every write; blocking queries re-evaluate their index then. */
  onWrite(listener: () => void): () => void {
    this.writeListeners.add(listener);
    return () => this.writeListeners.delete(listener);
  }

  serviceIndex(name: string): number {
    return this.serviceIndexes.get(name) ?? this.servicesIndex;
  }

  registerService(service: NewService): void {
    const at = this.nextIndex();
    const previous = this.services.get(service.id);
    if (previous) this.removeService(previous.id, at);
    this.services.set(service.id, {
      id: service.id,
      name: service.name,
      tags: service.tags,
      meta: service.meta,
      address: service.address,
      port: service.port,
      enableTagOverride: service.enableTagOverride,
      weights: service.weights,
      createIndex: previous?.createIndex ?? at,
      modifyIndex: at,
    });
    for (const check of service.checks) {
      const stored: StoredCheck = {
        ...check,
        output: '',
        serviceId: service.id,
        serviceName: service.name,
        type: 'ttl',
        criticalSince: check.status === 'critical' ? this.options.clock() : null,
        ttlTimer: undefined,
        createIndex: at,
        modifyIndex: at,
      };
      this.checks.set(check.checkId, stored);
      this.armTtl(stored);
    }
    this.touchService(service.name, at);
    if (previous && previous.name !== service.name) this.touchService(previous.name, at);
    this.wrote();
  }

  /** Returns false when no service has this id. */
  deregisterService(id: string): boolean {
    const service = this.services.get(id);
    if (!service) return false;
    const at = this.nextIndex();
    this.removeService(id, at);
    this.touchService(service.name, at);
    this.wrote();
    return true;
  }

  /**
   * A TTL check update (pass/warn/fail/update): resets the TTL and sets status and output. Like a
   * Consul agent, it writes to the catalog (taking an index) only when status or output changed.
   */
  updateTtlCheck(checkId: string, status: CheckStatus, output: string): void {
    const check = this.checks.get(checkId);
    if (!check || check.type !== 'ttl') throw new Error(`CheckID "${checkId}" does not have associated TTL`);
    this.armTtl(check);
    this.setStatus(check, status, output);
  }

  kvWrite(entry: { key: string; value: Buffer; flags: number }): void {
    const at = this.nextIndex();
    const previous = this.kv.get(entry.key);
    this.kv.set(entry.key, {
      ...entry,
      lockIndex: previous?.lockIndex ?? 0,
      createIndex: previous?.createIndex ?? at,
      modifyIndex: at,
    });
    this.kvIndex = at;
    this.wrote();
  }

  kvDelete(keys: string[]): void {
    if (keys.length === 0) return;
    const at = this.nextIndex();
    for (const key of keys) this.kv.delete(key);
    this.kvIndex = at;
    this.wrote();
  }

  close(): void {
    clearInterval(this.reaper);
    for (const check of this.checks.values()) clearTimeout(check.ttlTimer);
    this.writeListeners.clear();
  }

  private setStatus(check: StoredCheck, status: CheckStatus, output: string): void {
    if (check.status === status && check.output === output) return;
    if (status === 'critical') check.criticalSince ??= this.options.clock();
    else check.criticalSince = null;
    const at = this.nextIndex();
    check.status = status;
    check.output = output;
    check.modifyIndex = at;
    this.touchService(check.serviceName, at);
    this.wrote();
  }

  private armTtl(check: StoredCheck): void {
    clearTimeout(check.ttlTimer);
    // Node's timers fire at once beyond ~24.8 days; a TTL that long never expires within a test run.
    if (check.ttlMs === null || check.ttlMs > MAX_TIMER_MS) return;
    const lastOutput = () => check.output;
    check.ttlTimer = setTimeout(() => {
      // Consul's wording (agent/checks CheckTTL.getExpiredOutput).
      const previous = lastOutput();
      const output = previous
        ? `TTL expired (last output before timeout follows): ${previous}`
        : 'TTL expired';
      if (this.checks.get(check.checkId) === check) this.setStatus(check, 'critical', output);
    }, check.ttlMs);
    check.ttlTimer.unref();
  }

  private reap(): void {
    const now = this.options.clock();
    for (const check of [...this.checks.values()]) {
      if (check.deregisterAfterMs === null || check.criticalSince === null) continue;
      const limit = Math.max(check.deregisterAfterMs, this.options.minDeregisterAfterMs);
      if (now - check.criticalSince > limit) this.deregisterService(check.serviceId);
    }
  }

  private removeService(id: string, at: number): void {
    this.services.delete(id);
    for (const [checkId, check] of this.checks) {
      if (check.serviceId !== id) continue;
      clearTimeout(check.ttlTimer);
      this.checks.delete(checkId);
    }
    this.servicesIndex = at;
  }

  private touchService(name: string, at: number): void {
    this.serviceIndexes.set(name, at);
    this.servicesIndex = at;
  }

  private nextIndex(): number {
    this.index += 1;
    return this.index;
  }

  private wrote(): void {
    for (const listener of [...this.writeListeners]) listener();
  }
}
