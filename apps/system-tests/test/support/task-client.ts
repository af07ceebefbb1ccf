import { submitTasks, type Submission } from '@contextforge/testing';
import type { GatewayAccess } from './cluster-system';

// submitTasks and sleepTasks moved to @contextforge/testing (the benchmarks use them too).
export { sleepTasks, submitTasks } from '@contextforge/testing';
export type { Submission } from '@contextforge/testing';

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

/**
 * Submits `submissions` in chunks of `chunk`, one after the other, in the background (so a fault
 * can land while work still arrives). `taskIds` fills as chunks are accepted; `done` resolves
 * once all are (a rejection is also left to `done`, never unhandled).
 */
export function submitInBackground(
  gateway: GatewayAccess,
  submissions: readonly Submission[],
  chunk: number,
): { taskIds: string[]; done: Promise<void> } {
  const taskIds: string[] = [];
  const done = (async () => {
    for (let from = 0; from < submissions.length; from += chunk) {
      taskIds.push(...(await submitTasks(gateway, submissions.slice(from, from + chunk))));
    }
  })();
  done.catch(() => undefined);
  return { taskIds, done };
}
