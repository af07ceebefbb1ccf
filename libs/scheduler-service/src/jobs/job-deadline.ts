import { AppError, isFinalStatus, type SerializedError, type TaskView } from '@contextforge/contracts';
import type { Job } from './job-state';

/** Chunks the TASK_TIMEOUT error of a job lists in `details.missing` (the counts are complete). */
export const MISSING_CHUNKS_LISTED = 100;
/** Chunk indices its message names. */
const MISSING_CHUNKS_NAMED = 10;

/**
 * When a job must have ended (epoch ms): the parent's timeoutMs after its createdAt. A re-driven
 * job gets the time again: counted from the re-drive (the queued parent's updatedAt), or, when
 * it was re-driven and begun by another coordinator (attempt above 1), from `now`, when this one
 * takes it over.
 */
export function jobDeadline(view: TaskView, now: number): number {
  let from = Date.parse(view.createdAt);
  if (view.status === 'queued' && view.attempt > 0) from = Date.parse(view.updatedAt);
  else if (view.attempt > 1) from = now;
  return from + view.timeoutMs;
}

/**
 * The error a job ends with when its deadline passes before its work: TASK_TIMEOUT naming what
 * was still open. `details`: `stage` (`scan`, or `chunks` once the plan is made), `timeoutMs`,
 * `deadline` (ISO time), then for the scan `scan: {taskId, status}` (absent when it was never
 * submitted), and for the chunks `chunks` (how many planned), `missingChunks`, `missingFiles`
 * (their files) and `missing`: the first MISSING_CHUNKS_LISTED open chunks by index as
 * `{index, files, taskId?, status?}` (no taskId/status: never submitted).
 */
export function deadlineError(job: Job, deadlineAt: number): SerializedError {
  const { timeoutMs } = job.task;
  const within = `the repository job did not finish within its timeoutMs (${timeoutMs} ms)`;
  const base = { timeoutMs, deadline: new Date(deadlineAt).toISOString() };
  const plan = job.plan;
  if (!plan) {
    const scan = job.scan;
    return new AppError(
      'TASK_TIMEOUT',
      `${within}: the repository scan ${scan ? `was still ${scan.status}` : 'had not been submitted'}`,
      {
        details: {
          ...base,
          stage: 'scan',
          ...(scan ? { scan: { taskId: scan.id, status: scan.status } } : {}),
        },
      },
    ).toJSON();
  }
  const missing = plan.filter((chunk) => {
    const view = job.chunks.get(chunk.index);
    return !view || !isFinalStatus(view.status);
  });
  const listed = missing.slice(0, MISSING_CHUNKS_LISTED).map((chunk) => {
    const view = job.chunks.get(chunk.index);
    return {
      index: chunk.index,
      files: chunk.files.length,
      ...(view ? { taskId: view.id, status: view.status } : {}),
    };
  });
  const named = missing.slice(0, MISSING_CHUNKS_NAMED).map((chunk) => chunk.index);
  const more = missing.length - named.length;
  return new AppError(
    'TASK_TIMEOUT',
    `${within}: ${missing.length} of ${plan.length} chunks had not finished ` +
      `(${named.join(', ')}${more > 0 ? ` and ${more} more` : ''})`,
    {
      details: {
        ...base,
        stage: 'chunks',
        chunks: plan.length,
        missingChunks: missing.length,
        missingFiles: missing.reduce((sum, chunk) => sum + chunk.files.length, 0),
        missing: listed,
      },
    },
  ).toJSON();
}
