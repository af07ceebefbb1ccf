import { limitedMap } from './limited-map';

/** Where the gateway is and how to authenticate to it (a client JWT). */
export interface GatewayTarget {
  url: string;
  token: string;
}

/** A POST /tasks/submit body (the fields the system tests and benchmarks use). */
export interface Submission {
  type: string;
  input?: unknown;
  maxAttempts?: number;
  timeoutMs?: number;
}

/** Requests in flight at once against the gateway by default (a client with a connection pool). */
const DEFAULT_CLIENT_CONCURRENCY = 32;

/** Submits through the gateway's REST API; resolves with the task ids in input order. */
export async function submitTasks(
  gateway: GatewayTarget,
  submissions: readonly Submission[],
  concurrency = DEFAULT_CLIENT_CONCURRENCY,
): Promise<string[]> {
  return limitedMap(submissions, concurrency, async (submission) => {
    const response = await fetch(`${gateway.url}/tasks/submit`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${gateway.token}` },
      body: JSON.stringify(submission),
    });
    const body = (await response.json()) as { taskId?: string };
    if (response.status !== 202 || !body.taskId)
      throw new Error(`submit answered ${response.status}: ${JSON.stringify(body)}`);
    return body.taskId;
  });
}

/** `count` sleep tasks, each sleeping a random whole number of ms in [minMs, maxMs]. */
export function sleepTasks(count: number, minMs: number, maxMs: number): Submission[] {
  return Array.from({ length: count }, () => ({
    type: 'sleep',
    input: { ms: minMs + Math.floor(Math.random() * (maxMs - minMs + 1)) },
  }));
}
