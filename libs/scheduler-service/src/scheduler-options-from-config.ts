import type { Config } from '@contextforge/config';
import type { SchedulerOptions } from './scheduler';

/** The scheduler's tunables as configured; the caller supplies the ports. */
export function schedulerSettingsFromConfig(
  config: Config,
): Pick<SchedulerOptions, 'strategy' | 'retry' | 'dispatchTimeoutMs' | 'agentPauseMs' | 'timeoutGraceMs'> {
  return {
    strategy: config.coordinator.loadBalancing.strategy,
    retry: {
      initialDelayMs: config.coordinator.retry.initialDelay,
      maxDelayMs: config.coordinator.retry.maxDelay,
    },
    dispatchTimeoutMs: config.coordinator.loadBalancing.timeout,
    agentPauseMs: 50,
    timeoutGraceMs: 2_000,
  };
}
