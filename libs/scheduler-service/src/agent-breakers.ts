import { AppError, isErrorCode, type CircuitState, type ErrorCode } from '@contextforge/contracts';
import CircuitBreaker from 'opossum';

/**
 * Settings of the per-agent circuit breakers, all explicit: opossum's default volume threshold of
 * 0 would open a breaker on an agent's very first failure.
 */
export interface BreakerSettings {
  /** Failure percentage over the rolling window above which the breaker opens. */
  errorThresholdPercentage: number;
  /** Calls in the window before the percentage is judged at all. */
  volumeThreshold: number;
  /** Rolling window length (ms). */
  rollingWindowMs: number;
  /** Time open before one probe call is let through (half-open). */
  resetTimeoutMs: number;
}

export const DEFAULT_BREAKER_SETTINGS: BreakerSettings = {
  errorThresholdPercentage: 50,
  volumeThreshold: 5,
  rollingWindowMs: 10_000,
  resetTimeoutMs: 5_000,
};

/**
 * Answers that say nothing about the agent's health: back-pressure, an orderly drain, a routing
 * mismatch. They never count as breaker failures.
 */
const NOT_FAILURES: ReadonlySet<ErrorCode> = new Set([
  'AGENT_AT_CAPACITY',
  'AGENT_DRAINING',
  'UNKNOWN_TASK_TYPE',
]);

type Call = () => Promise<void>;

/**
 * One opossum circuit breaker per agent around every dispatch call: CLOSED -> OPEN after too many
 * failures -> HALF_OPEN after resetTimeoutMs, when exactly one probe goes through -> CLOSED on its
 * success (OPEN again on its failure). Call timeouts are the caller's (an AbortSignal that aborts
 * the request), so a timed-out call is aborted, not left running, and counts as a failure here.
 */
export class AgentBreakers {
  private readonly breakers = new Map<string, CircuitBreaker<[Call], void>>();

  constructor(
    private readonly settings: BreakerSettings,
    private readonly onChange: (agentId: string, state: CircuitState) => void = () => undefined,
  ) {}

  /** Runs `call` through the agent's breaker; rejects with AGENT_CIRCUIT_OPEN when it is open. */
  async fire(agentId: string, call: Call): Promise<void> {
    try {
      await this.breaker(agentId).fire(call);
    } catch (error) {
      if ((error as { code?: unknown }).code === 'EOPENBREAKER') {
        throw new AppError('AGENT_CIRCUIT_OPEN', `the circuit to agent ${agentId} is open`);
      }
      throw error;
    }
  }

  /** Whether a dispatch to the agent would be let through now (closed, or half-open with the probe free). */
  accepts(agentId: string): boolean {
    const breaker = this.breakers.get(agentId);
    return !breaker || breaker.closed || breaker.pendingClose;
  }

  state(agentId: string): CircuitState {
    const breaker = this.breakers.get(agentId);
    if (!breaker || breaker.closed) return 'closed';
    return breaker.halfOpen ? 'half_open' : 'open';
  }

  states(): Record<string, CircuitState> {
    return Object.fromEntries([...this.breakers.keys()].map((id) => [id, this.state(id)]));
  }

  /** Forgets an agent that left (its timers stop). */
  remove(agentId: string): void {
    this.breakers.get(agentId)?.shutdown();
    this.breakers.delete(agentId);
  }

  close(): void {
    for (const id of [...this.breakers.keys()]) this.remove(id);
  }

  private breaker(agentId: string): CircuitBreaker<[Call], void> {
    let breaker = this.breakers.get(agentId);
    if (breaker) return breaker;
    const { errorThresholdPercentage, volumeThreshold, rollingWindowMs, resetTimeoutMs } = this.settings;
    breaker = new CircuitBreaker((call: Call) => call(), {
      timeout: false,
      errorThresholdPercentage,
      volumeThreshold,
      rollingCountTimeout: rollingWindowMs,
      rollingCountBuckets: 10,
      resetTimeout: resetTimeoutMs,
      errorFilter: (error: unknown) => {
        const code = (error as { code?: unknown }).code;
        return isErrorCode(code) && NOT_FAILURES.has(code);
      },
    });
    breaker.on('open', () => this.onChange(agentId, 'open'));
    breaker.on('halfOpen', () => this.onChange(agentId, 'half_open'));
    breaker.on('close', () => this.onChange(agentId, 'closed'));
    this.breakers.set(agentId, breaker);
    return breaker;
  }
}
