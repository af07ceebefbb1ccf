import { randomUUID } from 'node:crypto';
import type { TaskEvent } from './events';
import { exceedsInlineLimit, jsonByteLength } from './payloads';
import type { TaskView } from './task';
import {
  RESULT_OUTPUT_REF,
  TaskChangedMessageSchema,
  boundTaskChange,
  type TaskChangedMessage,
} from './task-stream';

const LIMIT = 1024;
const at = new Date().toISOString();

function view(input: unknown): TaskView {
  return {
    id: randomUUID(),
    clientId: 'client-1',
    type: 'echo',
    input,
    priority: 5,
    requiredCapabilities: [],
    timeoutMs: 1000,
    maxAttempts: 1,
    createdAt: at,
    status: 'succeeded',
    attempt: 1,
    updatedAt: at,
    eventSeq: 4,
  };
}

function succeeded(task: TaskView, output: unknown): TaskEvent {
  return {
    type: 'succeeded',
    eventId: randomUUID(),
    taskId: task.id,
    attempt: 1,
    at,
    agentId: 'a',
    output,
    durationMs: 1,
  };
}

describe('jsonByteLength and exceedsInlineLimit', () => {
  it('count UTF-8 bytes of the JSON', () => {
    expect(jsonByteLength('ż')).toBe(4);
    expect(jsonByteLength(undefined)).toBe(0);
    expect(exceedsInlineLimit('ż'.repeat(400), LIMIT)).toBe(false);
    expect(exceedsInlineLimit('ż'.repeat(600), LIMIT)).toBe(true);
    expect(exceedsInlineLimit('a'.repeat(1100), LIMIT)).toBe(true);
    expect(exceedsInlineLimit(undefined, LIMIT)).toBe(false);
  });
});

describe('boundTaskChange', () => {
  it('leaves a message with small input and output as it is', () => {
    const task = view({ path: 'a.ts' });
    const change: TaskChangedMessage = { seq: 4, event: succeeded(task, { ok: true }), task };
    expect(boundTaskChange(change, LIMIT)).toBe(change);
  });

  it('replaces a large inline output by RESULT_OUTPUT_REF and a large input by null, marked', () => {
    const task = view({ text: 'x'.repeat(5000) });
    const change: TaskChangedMessage = { seq: 4, event: succeeded(task, { text: 'y'.repeat(5000) }), task };

    const bounded = boundTaskChange(change, LIMIT);

    expect(jsonByteLength(bounded)).toBeLessThan(LIMIT);
    expect(bounded.inputOmitted).toBe(true);
    expect(bounded.task).toEqual({ ...task, input: null });
    expect(bounded.event).not.toHaveProperty('output');
    expect(bounded.event).toMatchObject({ type: 'succeeded', outputRef: RESULT_OUTPUT_REF });
    expect(TaskChangedMessageSchema.parse(JSON.parse(JSON.stringify(bounded)))).toEqual(bounded);
    expect(change.task.input).toEqual({ text: 'x'.repeat(5000) });
  });

  it('keeps an outputRef the agent sent', () => {
    const task = view(null);
    const outputRef = randomUUID();
    const event: TaskEvent = {
      type: 'succeeded',
      eventId: randomUUID(),
      taskId: task.id,
      attempt: 1,
      at,
      agentId: 'a',
      outputRef,
      durationMs: 1,
    };
    expect(boundTaskChange({ seq: 4, event, task }, LIMIT).event).toMatchObject({ outputRef });
  });
});
