import type { ManagedProcess } from './managed-process';

export interface WaitReadyOptions {
  timeoutMs: number;
  /** Pause between polls (default 100 ms). */
  intervalMs?: number;
}

/**
 * Polls `GET url` until it answers 200. Waiting for a server to come up announces no event we
 * could await, so this is bounded polling: it rejects after `timeoutMs`, or at once when the
 * process exits first. The error says what the last poll saw.
 */
export async function waitUntilReady(
  child: ManagedProcess,
  url: string,
  options: WaitReadyOptions,
): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  const intervalMs = options.intervalMs ?? 100;
  let lastSeen = 'no answer yet';
  for (;;) {
    if (child.exit) {
      throw new Error(
        `exited (code ${child.exit.code}, signal ${child.exit.signal}) before ${url} answered 200`,
      );
    }
    const remaining = deadline - Date.now();
    if (remaining <= 0) {
      throw new Error(`not ready within ${options.timeoutMs} ms (GET ${url}: ${lastSeen})`);
    }
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(Math.min(2_000, remaining)) });
      await response.body?.cancel();
      if (response.status === 200) return;
      lastSeen = `status ${response.status}`;
    } catch (error) {
      lastSeen = describe(error);
    }
    await new Promise((resolve) =>
      setTimeout(resolve, Math.min(intervalMs, Math.max(0, deadline - Date.now()))),
    );
  }
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = (error as { cause?: unknown }).cause;
  return cause instanceof Error ? `${error.message} (${cause.message})` : error.message;
}
