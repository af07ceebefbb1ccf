import { randomUUID } from 'node:crypto';
import {
  AppError,
  applyTaskEvent,
  jsonByteLength,
  type PayloadOwner,
  type StoredPayload,
} from '@contextforge/contracts';
import { toJsonValue } from './json';
import { stateOf } from './plan-events';
import type { TaskRecord } from './task-record';

/**
 * Refuses an output upload (TaskRepository.putOutputPayload) that the `succeeded` event referring
 * to it could not get applied with: an unknown task, another attempt than the current one, a
 * missing or wrong fencing token, a task that is final. The fencing is the state machine's own
 * (applyTaskEvent), so uploads and events cannot disagree on who owns an attempt. Both adapters
 * call it with the task's row locked.
 */
export function checkPayloadOwner(task: TaskRecord | undefined, owner: PayloadOwner): void {
  const { taskId, attempt, token } = owner;
  if (!task) throw new AppError('TASK_NOT_FOUND', `no task ${taskId}`);
  if (attempt !== task.attempt) {
    throw new AppError(
      'STALE_ATTEMPT',
      `output of attempt ${attempt} refused: task ${taskId} is at attempt ${task.attempt}`,
      { details: { attempt: task.attempt } },
    );
  }
  const transition = applyTaskEvent(stateOf(task), {
    type: 'succeeded',
    eventId: randomUUID(),
    taskId,
    attempt,
    at: new Date().toISOString(),
    ...(token === undefined ? {} : { token }),
    agentId: task.agentId ?? '',
    outputRef: 'upload',
    durationMs: 0,
  });
  if (transition.kind === 'ignored') {
    throw new AppError(transition.reason, `output of attempt ${attempt} refused: ${transition.detail}`, {
      details: { status: task.status },
    });
  }
}

/** A payload as both adapters store it: a random id, the content as JSON, its size. */
export function newStoredPayload(owner: PayloadOwner, content: unknown, now: Date): StoredPayload {
  const json = toJsonValue(content);
  return {
    id: randomUUID(),
    taskId: owner.taskId,
    attempt: owner.attempt,
    bytes: jsonByteLength(json),
    content: json,
    createdAt: now.toISOString(),
  };
}
