import { createHash } from 'node:crypto';
import type { Agent, RegistryApi } from '@contextforge/contracts';

/**
 * The result-cache key of a submission (SubmitOptions.cacheKey):
 * sha256(type + '\0' + version + '\0' + canonicalJson(input)), where `version` is the version of
 * the task type that the healthy agents advertise (AgentRegistration.typeVersions) and the input
 * holds everything that shapes the output (content and options). Priority, timeouts and
 * capabilities are left out: they change how a task runs, not what it computes.
 */
export function resultCacheKey(type: string, version: string, input: unknown): string {
  return createHash('sha256')
    .update(`${type}\0${version}\0${canonicalJson(input)}`)
    .digest('hex');
}

/**
 * Whether the input points at files the agent reads from disk (a `root`, or SourceFile entries
 * without inline `content`, see @contextforge/contracts analysis.ts): the key cannot see their
 * content, so such a task is never served from the cache (a changed file would get a stale result).
 */
export function readsFilesByPath(input: unknown): boolean {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) return false;
  const record = input as Record<string, unknown>;
  if (record['root'] !== undefined) return true;
  const files = record['files'];
  return (
    Array.isArray(files) &&
    files.some(
      (file) =>
        file !== null && typeof file === 'object' && (file as { content?: unknown }).content === undefined,
    )
  );
}

/** JSON with object keys sorted at every level, so equal values give equal text. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value)) ?? 'null';
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  const record = value as Record<string, unknown>;
  return Object.fromEntries(
    Object.keys(record)
      .sort()
      .filter((key) => record[key] !== undefined)
      .map((key) => [key, sortKeys(record[key])]),
  );
}

/**
 * The version of a task type as the fleet advertises it, from a registry listing kept for
 * `ttlMs` (so a burst of submissions costs one listing). A type has a version only when every
 * healthy agent running it advertises the same one: with none, with an agent that advertises
 * none, or while a rollout runs two versions side by side, there is no key, and no caching,
 * because a cached result of another version must never be served. An upgrade is seen at most
 * `ttlMs` late. A failing registry means no key (the task still runs).
 */
export class TypeVersions {
  private listing: { at: number; agents: Promise<Agent[]> } | undefined;

  constructor(
    private readonly registry: Pick<RegistryApi, 'listAgents'>,
    private readonly ttlMs = 1_000,
    private readonly now: () => number = Date.now,
  ) {}

  async versionOf(type: string): Promise<string | undefined> {
    const agents = await this.agents().catch(() => undefined);
    const versions = new Set<string | undefined>();
    for (const agent of agents ?? []) {
      if (agent.status !== 'healthy' || !agent.taskTypes.includes(type)) continue;
      versions.add(agent.typeVersions?.[type]);
    }
    const [version, ...others] = versions;
    return others.length === 0 ? version : undefined;
  }

  private agents(): Promise<Agent[]> {
    const at = this.now();
    if (!this.listing || at - this.listing.at >= this.ttlMs) {
      const agents = this.registry.listAgents();
      const listing = { at, agents };
      this.listing = listing;
      // A failed listing is not kept: the next call asks again.
      agents.catch(() => {
        if (this.listing === listing) this.listing = undefined;
      });
    }
    return this.listing.agents;
  }
}
