/** What a scheduler replica says about itself on GET /replica. */
export interface ReplicaStatus {
  replica: string;
  /** Attempts this process dispatched (the agent accepted them) since it started. */
  dispatched: number;
  coordinatesJobs: boolean;
}

/** GET /replica on one scheduler replica; throws when it does not answer 200 within 2 s. */
export async function replicaStatus(url: string): Promise<ReplicaStatus> {
  const response = await fetch(`${url}/replica`, { signal: AbortSignal.timeout(2_000) });
  if (response.status !== 200) {
    const body = await response.text();
    throw new Error(`GET ${url}/replica answered ${response.status}: ${body}`);
  }
  return (await response.json()) as ReplicaStatus;
}

/** Every replica's `dispatched` count, by process name. */
export async function dispatchCounts(urls: Record<string, string>): Promise<Record<string, number>> {
  const entries = await Promise.all(
    Object.entries(urls).map(async ([name, url]) => [name, (await replicaStatus(url)).dispatched] as const),
  );
  return Object.fromEntries(entries);
}
