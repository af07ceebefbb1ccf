import { startClusterSystem, type ClusterSystem, type ClusterSystemOptions } from './cluster-system';

export interface ClusterSystemFixture {
  /** The running system (throws if beforeAll failed to start it). */
  get(): ClusterSystem;
  /** Call at the end of a passing test: the logs are then removed instead of kept for debugging. */
  markPassed(): void;
}

/**
 * Starts a cluster-mode system for the enclosing describe block (beforeAll) and stops it after
 * (afterAll), keeping the process logs and naming their directory unless the test marked itself
 * passed. One system per test file: its own database and topic prefix. `options` may be a function,
 * called in that beforeAll: after the file's earlier beforeAll hooks (e.g. one starting a server
 * whose address goes into the env).
 */
export function useClusterSystem(
  options: ClusterSystemOptions | (() => ClusterSystemOptions),
): ClusterSystemFixture {
  let system: ClusterSystem | undefined;
  let passed = false;
  beforeAll(async () => {
    system = await startClusterSystem(typeof options === 'function' ? options() : options);
  }, 180_000);
  afterAll(async () => {
    await system?.stop({ removeLogs: passed });
    if (system && !passed) process.stderr.write(`cluster logs kept in ${system.cluster.logDir}\n`);
  }, 60_000);
  return {
    get: () => {
      if (!system) throw new Error('the cluster did not start (see beforeAll)');
      return system;
    },
    markPassed: () => {
      passed = true;
    },
  };
}
