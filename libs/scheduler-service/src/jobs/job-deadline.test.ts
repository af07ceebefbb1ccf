import type { TaskView } from '@contextforge/contracts';
import { planChunks } from './chunk-planner';
import { deadlineError, jobDeadline, MISSING_CHUNKS_LISTED } from './job-deadline';
import type { Job } from './job-state';

const CREATED = '2025-01-01T00:00:00.000Z';
const HOUR = 3_600_000;

function view(overrides: Partial<TaskView> = {}): TaskView {
  return {
    id: '00000000-0000-4000-8000-000000000001',
    clientId: 'client-a',
    type: 'repo-analysis',
    input: { root: '/repo' },
    priority: 5,
    requiredCapabilities: [],
    timeoutMs: HOUR,
    maxAttempts: 3,
    createdAt: CREATED,
    status: 'running',
    attempt: 1,
    updatedAt: '2025-01-01T00:10:00.000Z',
    eventSeq: 3,
    ...overrides,
  };
}

function job(overrides: Partial<Job> = {}): Job {
  const task = view();
  return {
    id: task.id,
    task,
    chunks: new Map(),
    progressDone: -1,
    cancelled: false,
    reload: false,
    finished: false,
    running: false,
    again: false,
    expired: true,
    ...overrides,
  };
}

function child(index: number, status: TaskView['status']): TaskView {
  return view({
    id: `00000000-0000-4000-8000-${String(index).padStart(12, '0')}`,
    type: 'repo-chunk',
    idempotencyKey: `job:chunk:${index}`,
    status,
  });
}

describe('jobDeadline', () => {
  const now = Date.parse('2025-01-02T00:00:00.000Z');

  it('is the timeoutMs after createdAt', () => {
    expect(jobDeadline(view(), now)).toBe(Date.parse(CREATED) + HOUR);
    expect(jobDeadline(view({ status: 'queued', attempt: 0 }), now)).toBe(Date.parse(CREATED) + HOUR);
  });

  it('counts a re-driven job from its re-drive, or from now when another coordinator began it', () => {
    const redrivenAt = '2025-01-01T12:00:00.000Z';
    expect(jobDeadline(view({ status: 'queued', attempt: 2, updatedAt: redrivenAt }), now)).toBe(
      Date.parse(redrivenAt) + HOUR,
    );
    expect(jobDeadline(view({ status: 'running', attempt: 3 }), now)).toBe(now + HOUR);
  });
});

describe('deadlineError', () => {
  it('names the scan when no plan was made', () => {
    const scan = view({ type: 'repo-scan', status: 'running' });
    expect(deadlineError(job({ scan }), 0)).toMatchObject({
      code: 'TASK_TIMEOUT',
      message: expect.stringContaining('the repository scan was still running'),
      details: { stage: 'scan', timeoutMs: HOUR, scan: { taskId: scan.id, status: 'running' } },
    });
    expect(deadlineError(job(), 0).details).toEqual({
      stage: 'scan',
      timeoutMs: HOUR,
      deadline: '1970-01-01T00:00:00.000Z',
    });
  });

  it('lists at most MISSING_CHUNKS_LISTED open chunks, with complete counts', () => {
    // 600 chunks of 2 files; the first 26 finished, 574 did not (the last 4 never submitted).
    const files = Array.from({ length: 1200 }, (_, i) => ({
      path: `f${String(i).padStart(4, '0')}`,
      bytes: 1,
    }));
    const plan = planChunks(files, 2);
    const chunks = new Map<number, TaskView>();
    for (let index = 0; index < 596; index += 1)
      chunks.set(index, child(index, index < 26 ? 'succeeded' : 'running'));
    const error = deadlineError(job({ plan, chunks }), 0);
    expect(error.message).toContain(
      '574 of 600 chunks had not finished (26, 27, 28, 29, 30, 31, 32, 33, 34, 35 and 564 more)',
    );
    expect(error.details).toMatchObject({
      stage: 'chunks',
      chunks: 600,
      missingChunks: 574,
      missingFiles: 1148,
    });
    const missing = error.details?.['missing'] as Array<{ index: number; status?: string }>;
    expect(missing).toHaveLength(MISSING_CHUNKS_LISTED);
    expect(missing[0]).toEqual({ index: 26, files: 2, taskId: child(26, 'running').id, status: 'running' });
    expect(JSON.stringify(error).length).toBeLessThan(20_000);

    const unsubmitted = deadlineError(job({ plan, chunks: new Map() }), 0).details?.['missing'] as unknown[];
    expect(unsubmitted[0]).toEqual({ index: 0, files: 2 });
  });
});
