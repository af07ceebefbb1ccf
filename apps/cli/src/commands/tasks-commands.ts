import {
  TASK_STATUSES,
  isFinalStatus,
  type TaskResultView,
  type TaskStatus,
  type TaskView,
} from '@contextforge/contracts';
import type { CommandSpec } from '../command';
import { EXIT_CODES, UsageError } from '../exit-codes';
import { formatFields, formatTable } from '../format/table';
import { TASK_COLUMNS, describeTaskEvent } from './task-format';

const DEFAULT_LIMIT = 20;

function parseLimit(value: string | boolean | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const limit = Number(value);
  if (!Number.isInteger(limit) || limit < 1 || limit > 500)
    throw new UsageError('--limit must be an integer from 1 to 500');
  return limit;
}

function parseStatus(value: string | boolean | undefined): TaskStatus | undefined {
  if (value === undefined) return undefined;
  if (!(TASK_STATUSES as readonly unknown[]).includes(value)) {
    throw new UsageError(`--status must be one of ${TASK_STATUSES.join(', ')}`);
  }
  return value as TaskStatus;
}

const text = (value: string | boolean | undefined): string | undefined =>
  typeof value === 'string' ? value : undefined;

export const tasksLs: CommandSpec = {
  path: ['tasks', 'ls'],
  summary: 'List your tasks, newest first',
  details: [
    `Shows one page (--limit, default ${DEFAULT_LIMIT}); --all reads every page.`,
    'Admins see every client’s tasks.',
  ],
  options: {
    status: {
      type: 'string',
      valueName: 'status',
      description: `Only tasks in this status (${TASK_STATUSES.join('|')})`,
    },
    type: { type: 'string', valueName: 'type', description: 'Only tasks of this type' },
    agent: { type: 'string', valueName: 'id', description: 'Only tasks assigned to this agent' },
    limit: { type: 'string', valueName: 'n', description: `Page size, 1-500 (default ${DEFAULT_LIMIT})` },
    cursor: { type: 'string', valueName: 'cursor', description: 'Continue after an earlier page' },
    all: { type: 'boolean', description: 'Read every page' },
  },
  positionals: { min: 0, max: 0 },
  async run(context, { values }) {
    const filters = {
      ...(parseStatus(values['status']) ? { status: parseStatus(values['status']) } : {}),
      ...(text(values['type']) ? { type: text(values['type']) } : {}),
      ...(text(values['agent']) ? { agent: text(values['agent']) } : {}),
      limit: parseLimit(values['limit'], values['all'] ? 200 : DEFAULT_LIMIT),
    };
    const client = context.client();
    let tasks: TaskView[];
    let nextCursor: string | undefined;
    if (values['all']) {
      tasks = [];
      for await (const task of client.iterateTasks(filters, { signal: context.io.signal })) tasks.push(task);
    } else {
      const cursor = text(values['cursor']);
      const page = await client.listTasks(
        { ...filters, ...(cursor ? { cursor } : {}) },
        { signal: context.io.signal },
      );
      tasks = page.tasks;
      nextCursor = page.nextCursor;
    }
    if (context.json) {
      context.out(`${JSON.stringify({ tasks, ...(nextCursor ? { nextCursor } : {}) }, null, 2)}\n`);
      return EXIT_CODES.ok;
    }
    if (tasks.length === 0) context.out('No tasks.\n');
    else context.out(formatTable(tasks, TASK_COLUMNS));
    if (nextCursor) context.note(`More tasks: add --cursor ${nextCursor}, or --all.\n`);
    return EXIT_CODES.ok;
  },
};

export const tasksGet: CommandSpec = {
  path: ['tasks', 'get'],
  args: '<id>',
  summary: 'Show one task, and its result when it succeeded',
  options: {},
  positionals: { min: 1, max: 1 },
  async run(context, { positionals }) {
    const id = positionals[0] ?? '';
    const client = context.client();
    const task = await client.getTask(id, { signal: context.io.signal });
    const result: TaskResultView | undefined =
      task.status === 'succeeded' ? await client.getResult(id, { signal: context.io.signal }) : undefined;
    if (context.json) {
      context.out(`${JSON.stringify({ task, ...(result ? { result } : {}) }, null, 2)}\n`);
      return EXIT_CODES.ok;
    }
    context.out(
      formatFields([
        ['id', task.id],
        ['type', task.type],
        ['status', task.status + (task.statusReason ? ` (${task.statusReason})` : '')],
        ['priority', task.priority],
        ['attempt', `${task.attempt} of ${task.maxAttempts}`],
        ['agent', task.agentId],
        ['created', task.createdAt],
        ['updated', task.updatedAt],
        ['finished', task.finishedAt],
        ['last error', task.lastError ? `${task.lastError.code}: ${task.lastError.message}` : undefined],
        ['from cache', task.fromCache ? 'yes' : undefined],
        ['duration', result ? `${Math.round(result.durationMs)} ms` : undefined],
      ]),
    );
    if (result) context.out(`output:\n${JSON.stringify(result.output, null, 2)}\n`);
    return EXIT_CODES.ok;
  },
};

export const tasksCancel: CommandSpec = {
  path: ['tasks', 'cancel'],
  args: '<id>',
  summary: 'Cancel a task (exit 1 if it already finished)',
  options: {},
  positionals: { min: 1, max: 1 },
  async run(context, { positionals }) {
    const task = await context.client().cancelTask(positionals[0] ?? '', { signal: context.io.signal });
    context.out(
      context.json ? `${JSON.stringify(task, null, 2)}\n` : `Cancelled ${task.id} (${task.type}).\n`,
    );
    return EXIT_CODES.ok;
  },
};

export const tasksWatch: CommandSpec = {
  path: ['tasks', 'watch'],
  args: '<id>',
  summary: 'Follow a task’s events until it finishes',
  details: [
    'Reconnects by itself after a dropped connection, without losing or repeating an event.',
    'Exit code 0 when the task succeeded, 1 when it was cancelled or dead-lettered.',
    'With --json: one JSON object per line ({seq, event}).',
  ],
  options: {
    after: { type: 'string', valueName: 'seq', description: 'Only events after this sequence number' },
  },
  positionals: { min: 1, max: 1 },
  async run(context, { values, positionals }) {
    const id = positionals[0] ?? '';
    const afterText = text(values['after']);
    const after = afterText === undefined ? 0 : Number(afterText);
    if (!Number.isInteger(after) || after < 0) throw new UsageError('--after must be a non-negative integer');
    const client = context.client();
    let last: string | undefined;
    for await (const item of client.streamTask(id, {
      after,
      ...(context.io.signal ? { signal: context.io.signal } : {}),
    })) {
      last = item.event.type;
      context.out(context.json ? `${JSON.stringify(item)}\n` : `${describeTaskEvent(item)}\n`);
    }
    if (context.io.signal?.aborted) return EXIT_CODES.interrupted;
    const status =
      last !== undefined && isFinalStatus(last as TaskStatus) ? last : (await client.getTask(id)).status;
    if (!context.json) context.note(`Task ${id} ${status}.\n`);
    return status === 'succeeded' ? EXIT_CODES.ok : EXIT_CODES.failed;
  },
};
