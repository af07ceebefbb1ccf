import { AgentRegistrationSchema } from './agent';
import { AppError, ERROR_CODES, isRetryable, toSerializedError } from './errors';
import { TaskEventSchema } from './events';
import { TaskSubmissionSchema } from './task';
import { parseOrThrow } from './validation';

describe('TaskSubmissionSchema', () => {
  it('applies defaults', () => {
    expect(TaskSubmissionSchema.parse({ type: 'echo' })).toEqual({
      type: 'echo',
      input: null,
      priority: 5,
      requiredCapabilities: [],
      timeoutMs: 30_000,
      maxAttempts: 3,
    });
  });

  it.each([
    [{ type: 'echo', priority: 10 }, 'priority'],
    [{ type: 'echo', priority: 1.5 }, 'priority'],
    [{ type: '' }, 'type'],
    [{ type: 'Echo Task' }, 'type'],
    [{}, 'type'],
    [{ type: 'echo', requiredCapabilities: ['ok', 3] }, 'requiredCapabilities[1]'],
    [{ type: 'echo', timeoutMs: 0 }, 'timeoutMs'],
    [{ type: 'echo', prioirty: 1 }, '(root)'],
    [[], '(root)'],
  ])('rejects %j naming %s', (body, path) => {
    let thrown: unknown;
    try {
      parseOrThrow(TaskSubmissionSchema, body, 'task submission');
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(AppError);
    const appError = thrown as AppError;
    expect(appError.code).toBe('VALIDATION_FAILED');
    expect(appError.message).toContain(path);
    expect(appError.details?.['issues']).toEqual(expect.arrayContaining([expect.objectContaining({ path })]));
  });
});

describe('TaskEventSchema', () => {
  it('rejects an event with an unknown type or a missing field', () => {
    const base = {
      eventId: crypto.randomUUID(),
      taskId: crypto.randomUUID(),
      attempt: 1,
      at: new Date().toISOString(),
    };
    expect(TaskEventSchema.safeParse({ ...base, type: 'exploded' }).success).toBe(false);
    expect(TaskEventSchema.safeParse({ ...base, type: 'started' }).success).toBe(false);
    expect(TaskEventSchema.safeParse({ ...base, type: 'started', agentId: 'a' }).success).toBe(true);
  });

  it('takes a succeeded event with exactly one of output and outputRef', () => {
    const succeeded = {
      eventId: crypto.randomUUID(),
      taskId: crypto.randomUUID(),
      attempt: 1,
      at: new Date().toISOString(),
      type: 'succeeded',
      agentId: 'a',
      durationMs: 3,
    };
    expect(TaskEventSchema.safeParse({ ...succeeded, output: { n: 1 } }).success).toBe(true);
    expect(TaskEventSchema.safeParse({ ...succeeded, output: null }).success).toBe(true);
    expect(TaskEventSchema.safeParse({ ...succeeded, outputRef: crypto.randomUUID() }).success).toBe(true);
    const both = TaskEventSchema.safeParse({ ...succeeded, output: 1, outputRef: crypto.randomUUID() });
    expect(both.success).toBe(false);
    expect(both.error?.issues[0]?.message).toContain('exactly one of output and outputRef');
    expect(TaskEventSchema.safeParse(succeeded).success).toBe(false);
  });
});

describe('AgentRegistrationSchema', () => {
  it('accepts http and memory endpoints only', () => {
    const agent = { id: 'a-1', name: 'A', type: 'code-analyzer', taskTypes: ['echo'] };
    expect(AgentRegistrationSchema.safeParse({ ...agent, endpoint: 'http://10.0.0.1:8001' }).success).toBe(
      true,
    );
    expect(AgentRegistrationSchema.safeParse({ ...agent, endpoint: 'memory://a-1' }).success).toBe(true);
    expect(AgentRegistrationSchema.safeParse({ ...agent, endpoint: 'ftp://x' }).success).toBe(false);
  });
});

describe('errors', () => {
  it('maps every code to an HTTP status in the 4xx/5xx range', () => {
    for (const spec of Object.values(ERROR_CODES)) {
      expect(spec.http).toBeGreaterThanOrEqual(400);
      expect(spec.http).toBeLessThan(600);
    }
  });

  it('serialises and classifies by code and data, not by class', () => {
    const error = new AppError('AGENT_AT_CAPACITY', 'full', { details: { concurrency: 2 } });
    const plain = JSON.parse(JSON.stringify(error));
    expect(plain).toEqual({
      code: 'AGENT_AT_CAPACITY',
      message: 'full',
      retryable: true,
      details: { concurrency: 2 },
    });
    expect(isRetryable(plain)).toBe(true);
    expect(isRetryable(new AppError('VALIDATION_FAILED', 'x'))).toBe(false);
    expect(AppError.fromSerialized(plain).httpStatus).toBe(429);
    expect(toSerializedError(new Error('plain'))).toEqual({
      code: 'INTERNAL',
      message: 'plain',
      retryable: true,
    });
  });
});
