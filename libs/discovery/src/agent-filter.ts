import type { AgentInstance, ListAgentsFilter } from '@contextforge/contracts';

/**
 * The `list` filter shared by every adapter, so that they agree on its meaning: healthy means
 * `passing` (a draining agent reports `warning` and takes no new work), capabilities must all be
 * present, and the task type must be one the agent runs.
 */
export function matchesFilter(instance: AgentInstance, filter: ListAgentsFilter = {}): boolean {
  if (filter.healthyOnly && instance.health !== 'passing') return false;
  const { registration } = instance;
  if (filter.taskType !== undefined && !registration.taskTypes.includes(filter.taskType)) return false;
  if (filter.capabilities?.some((capability) => !registration.capabilities.includes(capability)))
    return false;
  return true;
}

/** Stable order for lists handed to callers and watchers. */
export function byAgentId(a: AgentInstance, b: AgentInstance): number {
  const left = a.registration.id;
  const right = b.registration.id;
  return left < right ? -1 : left > right ? 1 : 0;
}
