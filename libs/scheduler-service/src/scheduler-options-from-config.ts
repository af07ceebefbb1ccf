import type { Config } from '@contextforge/config';
import type { SchedulerOptions } from './scheduler';

/** The scheduler's tunables as configured; the caller supplies the ports. */
export function schedulerSettingsFromConfig(
  config: Config,
): Pick<
  SchedulerOptions,
  'strategy' | 'retry' | 'dispatchTimeoutMs' | 'agentPauseMs' | 'timeoutGraceMs' | 'orphanAfterMs'
> {
  return {
    strategy: config.coordinator.loadBalancing.strategy,
    retry: {
      initialDelayMs: config.coordinator.retry.initialDelay,
      maxDelayMs: config.coordinator.retry.maxDelay,
    },
    dispatchTimeoutMs: config.coordinator.loadBalancing.timeout,
    agentPauseMs: 50,
    timeoutGraceMs: 2_000,
    // Discovery views of the replicas agree within a heartbeat or two; an attempt unchanged for
    // two heartbeat intervals on an agent that is not live (or restarted) is not coming back.
    orphanAfterMs: Math.max(2 * config.agent.registry.heartbeatInterval, 1_000),
  };
}
