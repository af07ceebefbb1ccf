import type { EventRow } from './task-db';

export interface DispatchGap {
  /** The dispatch (claim) that opened the gap, and the next one (ms since the epoch). */
  fromMs: number;
  toMs: number;
  ms: number;
}

/**
 * The longest time between consecutive `dispatched` events (claim times, the database's clock)
 * during which some task was waiting in the queue: it had an applied `queued` event (its
 * submission, a hand-back, a retry) at or before the gap's start and its next dispatch at or after
 * its end. Gaps in which nothing waited (the client had not submitted more yet) are not the
 * schedulers' doing and are skipped. `events` holds at least the tasks' `queued` and `dispatched`
 * events. Undefined when fewer than two dispatches happened.
 */
export function longestDispatchGap(events: readonly EventRow[]): DispatchGap | undefined {
  const applied = events.filter((event) => event.outcome === 'applied');
  const dispatches = applied
    .filter((event) => event.type === 'dispatched')
    .map((event) => event.atMs)
    .sort((a, b) => a - b);
  // Waiting intervals [queued, next dispatch of that task), sorted by start.
  const byTask = new Map<string, EventRow[]>();
  for (const event of applied) {
    if (event.type !== 'queued' && event.type !== 'dispatched') continue;
    const list = byTask.get(event.taskId) ?? [];
    list.push(event);
    byTask.set(event.taskId, list);
  }
  const waits: Array<{ start: number; end: number }> = [];
  for (const list of byTask.values()) {
    list.sort((a, b) => a.atMs - b.atMs);
    let waitingSince: number | undefined;
    for (const event of list) {
      if (event.type === 'queued') waitingSince ??= event.atMs;
      else if (waitingSince !== undefined) {
        waits.push({ start: waitingSince, end: event.atMs });
        waitingSince = undefined;
      }
    }
    if (waitingSince !== undefined) waits.push({ start: waitingSince, end: Infinity });
  }
  waits.sort((a, b) => a.start - b.start);

  let longest: DispatchGap | undefined;
  let next = 0;
  let latestEnd = -Infinity;
  for (let index = 0; index + 1 < dispatches.length; index += 1) {
    const fromMs = dispatches[index] ?? 0;
    const toMs = dispatches[index + 1] ?? 0;
    while (next < waits.length && (waits[next]?.start ?? Infinity) <= fromMs) {
      latestEnd = Math.max(latestEnd, waits[next]?.end ?? -Infinity);
      next += 1;
    }
    if (latestEnd < toMs) continue;
    if (!longest || toMs - fromMs > longest.ms) longest = { fromMs, toMs, ms: toMs - fromMs };
  }
  return longest;
}
