/**
 * Test-short failure detection shared by the fault tests (production defaults in brackets). The
 * bounds the tests assert are derived from these numbers, so change them here only.
 *
 * - Agents heartbeat every 500 ms [5 s] with a 3 s TTL [30 s]: an agent that stops heartbeating is
 *   critical in discovery at most 3 s after the kill (its last heartbeat was at or before it).
 * - coordinator.agents.heartbeat_timeout 4 s [30 s]: the job coordinator's lease TTL is half of
 *   it, 2 s, renewed every ttl/4; another replica takes job coordination 1.5-2.5 s after the one
 *   holding it dies (every replica dispatches regardless: there is no dispatch leader).
 * - Retries start after at most 50 ms [200 ms] (full jitter), capped at 1 s [30 s], so the
 *   backoff is small next to the TTL in every bound below.
 * - Agents drain for at most 2 s when stopped (restarts in the tests stay quick).
 */
export const AGENT_HEARTBEAT_MS = 500;
export const AGENT_TTL_MS = 3_000;
export const LEADER_HEARTBEAT_TIMEOUT_MS = 4_000;
export const SCHEDULER_LEASE_TTL_MS = LEADER_HEARTBEAT_TIMEOUT_MS / 2;
export const RETRY_INITIAL_DELAY_MS = 50;

export const FAULT_ENV: Record<string, string> = {
  CONTEXTFORGE__AGENT__REGISTRY__HEARTBEAT_INTERVAL: `${AGENT_HEARTBEAT_MS}ms`,
  CONTEXTFORGE__AGENT__REGISTRY__TTL: `${AGENT_TTL_MS}ms`,
  CONTEXTFORGE__COORDINATOR__AGENTS__HEARTBEAT_TIMEOUT: `${LEADER_HEARTBEAT_TIMEOUT_MS}ms`,
  CONTEXTFORGE__COORDINATOR__RETRY__INITIAL_DELAY: `${RETRY_INITIAL_DELAY_MS}ms`,
  CONTEXTFORGE__COORDINATOR__RETRY__MAX_DELAY: '1s',
  CONTEXTFORGE__AGENT__DRAIN_TIMEOUT: '2s',
};
