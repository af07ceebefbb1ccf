import {
  AppError,
  toSerializedError,
  type AgentInstance,
  type AgentTransport,
  type Discovery,
} from '@contextforge/contracts';
import type { Logger } from '@contextforge/observability';

export interface ActiveHealthCheckerOptions {
  discovery: Discovery;
  /** Reaches agents by endpoint; only `ping` is used. */
  transport: Pick<AgentTransport, 'ping'>;
  logger: Logger;
  /** Time between the starts of two rounds (config coordinator.agents.health_check_interval). */
  intervalMs: number;
  /** A ping without an answer this long fails (health_check_timeout). */
  timeoutMs: number;
  /** Consecutive failed pings before the probe turns critical (max_failures). */
  maxFailures: number;
}

interface ProbeState {
  failures: number;
  /** What this checker last wrote successfully; undefined before its first write for the agent. */
  reported: 'passing' | 'critical' | undefined;
}

type PingOutcome = { ok: true } | { ok: false; reason: string };

/**
 * The registry's active health checks (the seed's "every 5 s, 3 s timeout, 3 consecutive failures
 * = unavailable"). Every interval it pings every registered agent through the AgentTransport, all
 * at once, and reports the outcome as the agent's probe state in discovery (`reportProbe`): after
 * `maxFailures` consecutive failures `critical`, with a note naming the last reason; on the first
 * success after that (and on the first success it sees for an agent, which clears a probe left
 * failing by a previous registry leader) `passing`. While failures continue it reports `critical`
 * every round, so an agent that re-registers (which resets its probe) while still unreachable is
 * marked again within one interval.
 *
 * Rounds never overlap: the next starts one interval after the previous one started, or at once
 * when the previous took longer. A ping that ignores its abort signal still fails at the timeout.
 * Run it on one registry replica at a time (the leader); failure counts are in memory and start
 * from zero on a new leader.
 *
 * Left out: bounding how many pings run at once (one per agent per round), and `warning` (a
 * draining agent says so itself through its heartbeat).
 */
export class ActiveHealthChecker {
  private readonly probes = new Map<string, ProbeState>();
  private timer: NodeJS.Timeout | undefined;
  private round: Promise<void> | undefined;
  private stopping = new AbortController();
  private running = false;

  constructor(private readonly options: ActiveHealthCheckerOptions) {
    const { intervalMs, timeoutMs, maxFailures } = options;
    if (!(intervalMs > 0) || !(timeoutMs > 0) || !Number.isInteger(maxFailures) || maxFailures < 1) {
      throw new AppError(
        'CONFIG_INVALID',
        'ActiveHealthChecker: intervalMs and timeoutMs must be > 0 and maxFailures an integer >= 1',
      );
    }
  }

  /** Starts checking; the first round runs one interval from now. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.stopping = new AbortController();
    this.schedule(this.options.intervalMs);
  }

  /** Stops checking: aborts pings in flight and waits for the round's discovery writes to settle. */
  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.stopping.abort();
    await this.round;
    this.probes.clear();
  }

  private schedule(delayMs: number): void {
    this.timer = setTimeout(() => {
      const startedAt = performance.now();
      this.round = this.runRound().finally(() => {
        this.round = undefined;
        if (this.running)
          this.schedule(Math.max(0, this.options.intervalMs - (performance.now() - startedAt)));
      });
    }, delayMs);
    this.timer.unref();
  }

  private async runRound(): Promise<void> {
    let agents: AgentInstance[];
    try {
      agents = await this.options.discovery.list();
    } catch (error) {
      this.options.logger.warn({ err: String(error) }, 'active health check: listing agents failed');
      return;
    }
    const present = new Set(agents.map((agent) => agent.registration.id));
    for (const id of this.probes.keys()) if (!present.has(id)) this.probes.delete(id);
    await Promise.all(agents.map((agent) => this.check(agent.registration.id, agent.registration.endpoint)));
  }

  private async check(agentId: string, endpoint: string): Promise<void> {
    const outcome = await this.ping(endpoint);
    if (!this.running) return;
    const probe = this.probes.get(agentId) ?? { failures: 0, reported: undefined };
    this.probes.set(agentId, probe);
    if (outcome.ok) {
      const recovered = probe.reported === 'critical';
      probe.failures = 0;
      if (probe.reported === 'passing') return;
      if ((await this.report(agentId, probe, 'passing')) && recovered) {
        this.options.logger.info({ agentId, endpoint }, 'agent answers health checks again');
      }
      return;
    }
    probe.failures += 1;
    if (probe.failures < this.options.maxFailures) return;
    const note = `${this.options.maxFailures} consecutive health checks failed: ${outcome.reason}`;
    const newlyFailed = probe.reported !== 'critical';
    if ((await this.report(agentId, probe, 'critical', note)) && newlyFailed) {
      this.options.logger.warn({ agentId, endpoint, reason: outcome.reason }, 'agent marked unavailable');
    }
  }

  /** One ping bounded by the timeout (and by stop), whether or not the transport honours the signal. */
  private async ping(endpoint: string): Promise<PingOutcome> {
    const { timeoutMs, transport } = this.options;
    const signal = AbortSignal.any([AbortSignal.timeout(timeoutMs), this.stopping.signal]);
    if (signal.aborted) return { ok: false, reason: 'stopped' };
    let onAbort: (() => void) | undefined;
    const aborted = new Promise<never>((_, reject) => {
      onAbort = () => reject(signal.reason);
      signal.addEventListener('abort', onAbort, { once: true });
    });
    try {
      await Promise.race([transport.ping(endpoint, { signal }), aborted]);
      return { ok: true };
    } catch (error) {
      if (signal.aborted) return { ok: false, reason: `no answer within ${timeoutMs} ms` };
      return { ok: false, reason: error instanceof Error ? error.message : String(error) };
    } finally {
      if (onAbort) signal.removeEventListener('abort', onAbort);
    }
  }

  /** Writes the probe state; returns whether it was written. */
  private async report(
    agentId: string,
    probe: ProbeState,
    state: 'passing' | 'critical',
    note?: string,
  ): Promise<boolean> {
    try {
      await this.options.discovery.reportProbe(agentId, state, note);
      probe.reported = state;
      return true;
    } catch (error) {
      if (toSerializedError(error).code === 'AGENT_NOT_FOUND') {
        // Deregistered while its ping was in flight.
        this.probes.delete(agentId);
        return false;
      }
      // Left as it was, so the next round writes again.
      this.options.logger.warn(
        { agentId, state, err: String(error) },
        'active health check: reporting failed',
      );
      return false;
    }
  }
}
