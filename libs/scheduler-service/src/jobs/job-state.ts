import {
  REPO_JOB_TASK_TYPES,
  type RepoAnalysisInput,
  type ResultStoreApi,
  type RepoScanOutput,
  type SerializedError,
  type Task,
  type TaskView,
} from '@contextforge/contracts';
import type { PlannedChunk } from './chunk-planner';

/** The agentId on the lifecycle events the coordinator publishes for its jobs. */
export const JOB_COORDINATOR_AGENT_ID = 'job-coordinator';

/** What the coordinator needs of the result-store. */
export type JobStore = Pick<
  ResultStoreApi,
  'submit' | 'getTask' | 'getResult' | 'listTasks' | 'cancel' | 'redrive'
>;

/** Tasks per listTasks page (the store allows up to 1,000). */
export const LIST_PAGE_SIZE = 500;

/** What the JobCoordinator knows of one job it runs: its parent, children and plan. */
export interface Job {
  id: string;
  task: Task;
  /** The trace its steps (and so its children and events) belong to. */
  traceparent?: string;
  /** The parent as the store last showed it (loaded on the first step). */
  view?: TaskView;
  /** The attempt of the coordinator's own events for the parent; set once started. */
  attempt?: number;
  input?: RepoAnalysisInput;
  scan?: TaskView;
  scanOutput?: RepoScanOutput;
  plan?: PlannedChunk[];
  chunks: Map<number, TaskView>;
  /** The `done` of the last progress event published (-1: none yet). */
  progressDone: number;
  cancelled: boolean;
  /** Read the parent and children from the store again on the next step (reconcile). */
  reload: boolean;
  finished: boolean;
  running: boolean;
  again: boolean;
  /** The retry of a step that failed. */
  timer?: NodeJS.Timeout;
  /** When the job must have ended (epoch ms; jobDeadline), set on its first step. */
  deadlineAt?: number;
  deadlineTimer?: NodeJS.Timeout;
  /** The deadline has passed. */
  expired: boolean;
  /** The error the job ends with once it is being ended at its deadline (kept across retries). */
  expiry?: SerializedError;
}

export function scanKey(jobId: string): string {
  return `${jobId}:scan`;
}

export function chunkKey(jobId: string, index: number): string {
  return `${jobId}:chunk:${index}`;
}

export function chunkIndexOf(jobId: string, key: string): number | undefined {
  const prefix = `${jobId}:chunk:`;
  if (!key.startsWith(prefix)) return undefined;
  const index = Number(key.slice(prefix.length));
  return Number.isSafeInteger(index) && index >= 0 ? index : undefined;
}

export function isChildType(type: string): boolean {
  return type === REPO_JOB_TASK_TYPES.scan || type === REPO_JOB_TASK_TYPES.chunk;
}

/**
 * Keeps a child's view when the job has none for it yet or it is newer (higher eventSeq), so a
 * change delivered twice or out of date changes nothing. Returns whether the job's view changed.
 */
export function recordChild(job: Job, child: TaskView): boolean {
  const key = child.idempotencyKey ?? '';
  if (key === scanKey(job.id)) {
    if (job.scan && child.eventSeq <= job.scan.eventSeq) return false;
    job.scan = child;
    return true;
  }
  const index = chunkIndexOf(job.id, key);
  if (index === undefined) return false;
  const known = job.chunks.get(index);
  if (known && child.eventSeq <= known.eventSeq) return false;
  job.chunks.set(index, child);
  return true;
}

/** Why a child ended without success. */
export function failureOf(child: TaskView): SerializedError {
  if (child.status !== 'cancelled' && child.lastError) return child.lastError;
  return { code: 'TASK_CANCELLED', message: child.statusReason ?? child.status, retryable: false };
}
