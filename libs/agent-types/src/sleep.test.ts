import type { TaskContext } from '@contextforge/agent-sdk';
import { AppError } from '@contextforge/contracts';
import { createSilentLogger } from '@contextforge/observability';
import { sleepAgentType } from './sleep';

const context = (signal: AbortSignal): TaskContext => ({
  taskId: '6f1c3c1e-0000-4000-8000-000000000002',
  attempt: 1,
  signal,
  logger: createSilentLogger(),
  traceparent: undefined,
  progress: () => undefined,
});

describe('sleep agent type', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('resolves with sleptMs after input.ms, not before', async () => {
    let result: unknown;
    const running = sleepAgentType
      .handler({ ms: 1_000 }, context(new AbortController().signal))
      .then((value) => {
        result = value;
      });
    await jest.advanceTimersByTimeAsync(999);
    expect(result).toBeUndefined();
    await jest.advanceTimersByTimeAsync(1);
    await running;
    expect(result).toEqual({ sleptMs: 1_000 });
  });

  it('stops at once on abort, rejecting with the signal reason and clearing its timer', async () => {
    const controller = new AbortController();
    const running = sleepAgentType.handler({ ms: 3_600_000 }, context(controller.signal));
    expect(jest.getTimerCount()).toBe(1);
    const reason = new AppError('TASK_CANCELLED', 'cancelled by client');
    controller.abort(reason);
    await expect(running).rejects.toBe(reason);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('rejects without waiting when the signal is already aborted', async () => {
    const controller = new AbortController();
    const reason = new AppError('AGENT_DRAINING', 'shutting down');
    controller.abort(reason);
    await expect(sleepAgentType.handler({ ms: 1_000 }, context(controller.signal))).rejects.toBe(reason);
    expect(jest.getTimerCount()).toBe(0);
  });
});

describe('sleep input schema', () => {
  const schema = sleepAgentType.input;
  if (!schema) throw new Error('the sleep agent type must declare an input schema');

  it.each([{ ms: 0 }, { ms: 250 }, { ms: 3_600_000 }])('accepts %j', (input) => {
    expect(schema.safeParse(input).success).toBe(true);
  });

  it.each([{ ms: -1 }, { ms: 1.5 }, { ms: 3_600_001 }, { ms: '100' }, {}, null])('rejects %j', (input) => {
    expect(schema.safeParse(input).success).toBe(false);
  });
});
