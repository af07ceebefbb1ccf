import type { GatewayAccess } from './cluster-system';
import { limitedMap } from './limited-map';

/** Requests in flight at once against the gateway (a client with a connection pool). */
const CLIENT_CONCURRENCY = 32;

/** A POST /tasks/submit body (the fields the tests use). */
export interface Submission {
  type: string;
  input?: unknown;
  maxAttempts?: number;
  timeoutMs?: number;
}

/** Submits through the gateway's REST API; resolves with the task ids in input order. */
export async function submitTasks(
  gateway: GatewayAccess,
  submissions: readonly Submission[],
): Promise<string[]> {
  return limitedMap(submissions, CLIENT_CONCURRENCY, async (submission) => {
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

/** Reads an agent's status through the gateway (GET /agents/{id}); undefined when unknown. */
export async function agentStatus(gateway: GatewayAccess, agentId: string): Promise<string | undefined> {
  const response = await gatewayGet(gateway, `/agents/${encodeURIComponent(agentId)}`);
  if (response.status === 404) {
    await response.body?.cancel();
    return undefined;
  }
  const body = (await response.json()) as { status?: string };
  return body.status;
}

/** GET on the gateway with the client token. */
export function gatewayGet(gateway: GatewayAccess, path: string): Promise<Response> {
  return fetch(`${gateway.url}${path}`, { headers: { authorization: `Bearer ${gateway.token}` } });
}
